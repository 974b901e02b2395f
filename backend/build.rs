//! Embeds the built pages (Trunk's output in `frontend/dist/`) into the binary,
//! compressed with brotli and gzip at build time. If the pages have not been
//! built, a placeholder page says how to build them, so the server still
//! compiles and its API still works.

use std::path::{Path, PathBuf};

const BUNDLES: [&str; 4] = ["checkin", "leader", "admin", "insights"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let dist = manifest.join("../frontend/dist");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    println!("cargo::rerun-if-changed={}", dist.display());
    let mut dirs = Vec::new();
    for bundle in BUNDLES {
        let built = dist.join(bundle);
        println!("cargo::rerun-if-changed={}", built.display());
        if built.join("index.html").is_file() {
            dirs.push((bundle, built));
        } else {
            dirs.push((bundle, placeholder(&out, bundle)?));
        }
    }
    // Embedded in every profile, so tests serve exactly what ships.
    memory_serve::load_names_directories(dirs, true);
    Ok(())
}

fn placeholder(out: &Path, bundle: &str) -> std::io::Result<PathBuf> {
    let dir = out.join("placeholder").join(bundle);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Skipcheck</title>\
         <p>The pages were not built into this binary. Run <code>scripts/build-frontend.sh</code>, \
         then build the server again.</p></html>",
    )?;
    Ok(dir)
}
