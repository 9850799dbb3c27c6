//! `fake-vnpay`: runs the fake VNPAY gateway (see the library docs) on a loopback address.

use clap::Parser;

/// A fake VNPAY 2.1.0 gateway for demos and tests.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8099")]
    listen: std::net::SocketAddr,
    /// The merchant's vnp_TmnCode.
    #[arg(long, env = "FAKE_VNPAY_TMN_CODE", default_value = "MOTCUA01")]
    tmn_code: String,
    /// The merchant's hash secret.
    #[arg(long, env = "FAKE_VNPAY_HASH_SECRET")]
    hash_secret: String,
    /// The merchant's IPN URL.
    #[arg(long, env = "FAKE_VNPAY_IPN_URL")]
    ipn_url: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let app = fake_vnpay::router(fake_vnpay::FakeConfig {
        tmn_code: args.tmn_code,
        hash_secret: args.hash_secret,
        ipn_url: args.ipn_url,
    });
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    eprintln!("fake VNPAY on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
