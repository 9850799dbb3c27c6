//! `fake-portal --listen 127.0.0.1:8766 [--key K]`: the national portal's dossier-sync
//! endpoint for the demo (see the library's docs). Point motcua at it with
//! `MOTCUA_PORTAL_SYNC_URL=http://127.0.0.1:8766/dongbo/hoso`.

use clap::Parser;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value = "127.0.0.1:8766")]
    listen: String,
    /// The bearer key motcua must send.
    #[arg(long)]
    key: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    println!(
        "fake portal on http://{}/dongbo/hoso",
        listener.local_addr()?
    );
    axum::serve(listener, fake_portal::router(args.key)).await?;
    Ok(())
}
