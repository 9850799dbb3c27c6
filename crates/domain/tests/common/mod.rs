//! What the tests on the shipped national-portal crawl share: reading it.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const PARTS: [&str; 2] = ["procedures-dvc-part1.jsonl", "procedures-dvc-part2.jsonl"];

/// The crawl as text: the repository's gzip'd files (through `gzip -dc`), or the uncompressed
/// shared copies when the repository's are absent.
pub fn crawl(part: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let gz: PathBuf = root.join("../../data").join(format!("{part}.gz"));
    if gz.exists() {
        let out = Command::new("gzip")
            .arg("-dc")
            .arg(&gz)
            .output()
            .expect("run gzip -dc");
        assert!(out.status.success(), "gzip -dc {} failed", gz.display());
        return String::from_utf8(out.stdout).expect("UTF-8 crawl");
    }
    let plain = root.join("../../../shared/data").join(part);
    std::fs::read_to_string(&plain)
        .unwrap_or_else(|e| panic!("neither {} nor {}: {e}", gz.display(), plain.display()))
}
