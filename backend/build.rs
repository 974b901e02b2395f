//! Embeds the built pages (Trunk's output in `frontend/dist/`) into the binary,
//! compressed with brotli and gzip at build time. If the pages have not been
//! built, a placeholder page says how to build them, so the server still
//! compiles and its API still works.

use std::path::{Path, PathBuf};

const BUNDLES: [&str; 5] = ["checkin", "leader", "admin", "insights", "templates"];

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
    // Each bundle's page once more, as text: the embedded widget's page is
    // made from the check-in's (see src/embed.rs), and the hashes of their
    // start-up scripts go into the Content-Security-Policy (src/assets.rs).
    for (bundle, dir) in &dirs {
        std::fs::copy(
            dir.join("index.html"),
            out.join(format!("{bundle}-index.html")),
        )?;
    }
    languages(&manifest, &out)?;
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

/// `languages.rs`: every `frontend/i18n/*.json`, so adding a language is
/// adding its file.
fn languages(manifest: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let dir = manifest.join("../frontend/i18n");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut code = String::from(
        "/// Every language: (code, its strings as JSON).\npub const LANGUAGES: &[(&str, &str)] = &[\n",
    );
    for file in files {
        let Some(lang) = file.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let path = file.canonicalize()?;
        code.push_str(&format!(
            "    ({lang:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    std::fs::write(out.join("languages.rs"), code)?;
    Ok(())
}
