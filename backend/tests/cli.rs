//! The shell commands, run as a newcomer would: `skipcheck admin create`,
//! `skipcheck admin reset-link` and `skipcheck import`, on a new SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

mod common;

/// A data directory removed when dropped.
struct DataDir(PathBuf);

impl DataDir {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir =
            std::env::temp_dir().join(format!("skipcheck-cli-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `skipcheck ARGS --data-dir DIR` with `stdin` as standard input.
fn run(dir: &DataDir, args: &[&str], stdin: &str) -> Output {
    run_with(dir, args, stdin, &[])
}

/// [`run`] with these environment variables set.
fn run_with(dir: &DataDir, args: &[&str], stdin: &str, vars: &[(&str, &str)]) -> Output {
    let mut child = common::skipcheck(dir.path(), args)
        .envs(vars.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_first_admin_is_created_from_the_shell_with_the_password_from_stdin() {
    let dir = DataDir::new();
    let admin = [
        "admin",
        "create",
        "--email",
        "Ada@Acme.example",
        "--name",
        "Ada",
    ];

    let no_org = run(&dir, &admin, "correct horse battery\n");
    let short = run(
        &dir,
        &[&admin[..], &["--organisation", "Acme"]].concat(),
        "short\n",
    );
    let created = run(
        &dir,
        &[&admin[..], &["--organisation", "Acme"]].concat(),
        "correct horse battery\n",
    );
    let again = run(&dir, &admin, "correct horse battery\n");
    let second = run(
        &dir,
        &[
            "admin",
            "create",
            "--email",
            "bo@acme.example",
            "--name",
            "Bo",
        ],
        "another long password\n",
    );
    let link = run(
        &dir,
        &[
            "admin",
            "reset-link",
            "--email",
            "bo@acme.example",
            "--public-url",
            "https://skip.acme.example",
        ],
        "",
    );

    assert!(!no_org.status.success());
    assert!(
        text(&no_org).contains("--organisation"),
        "{}",
        text(&no_org)
    );
    assert!(!short.status.success());
    assert!(
        text(&short).contains("password: Use at least 10 characters"),
        "{}",
        text(&short)
    );
    assert!(created.status.success(), "{}", text(&created));
    assert!(text(&created).contains("ada@acme.example"));
    assert!(!again.status.success(), "one account per email");
    assert!(
        text(&again).contains("already has an account"),
        "{}",
        text(&again)
    );
    assert!(second.status.success(), "{}", text(&second));
    assert!(link.status.success(), "{}", text(&link));
    assert!(
        text(&link).contains("https://skip.acme.example/admin/set-password#t="),
        "{}",
        text(&link)
    );
    // The password never shows on the command line or in the output.
    assert!(!text(&created).contains("correct horse"));
}

#[test]
fn a_people_file_is_previewed_then_imported_from_the_shell() {
    let dir = DataDir::new();
    let created = run(
        &dir,
        &[
            "admin",
            "create",
            "--email",
            "ada@acme.example",
            "--name",
            "Ada",
            "--organisation",
            "Acme",
        ],
        "correct horse battery\n",
    );
    assert!(created.status.success(), "{}", text(&created));
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "email;name;title;manager_email;team\n\
         ada@acme.example;Ada;CTO;;Exec\n\
         bo@acme.example;Bo;Manager;ada@acme.example;Core\n\
         cy@acme.example;Cy;Engineer;bo@acme.example;Core\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "email,name,manager_email\nx@acme.example,X,ghost@acme.example\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();

    let dry = run(&dir, &["import", file, "--dry-run"], "");
    let dry_again = run(&dir, &["import", file, "--dry-run"], "");
    let real = run(&dir, &["import", file], "");
    let after = run(&dir, &["import", file, "--dry-run"], "");
    let refused = run(&dir, &["import", bad.to_str().unwrap()], "");

    assert!(dry.status.success(), "{}", text(&dry));
    assert!(text(&dry).contains("3 would be added"), "{}", text(&dry));
    assert!(text(&dry).contains("Dry run: nothing was written."));
    assert_eq!(text(&dry), text(&dry_again), "a dry run writes nothing");
    assert!(real.status.success(), "{}", text(&real));
    assert!(text(&real).contains("3 added"), "{}", text(&real));
    assert!(text(&after).contains("3 unchanged"), "{}", text(&after));
    assert!(!refused.status.success());
    assert!(
        text(&refused)
            .contains("line 2: manager_email: nobody in the file has the email ghost@acme.example"),
        "{}",
        text(&refused)
    );
}

#[test]
fn a_sqlite_url_naming_a_new_file_creates_it() {
    let dir = DataDir::new();
    // In a folder that does not exist yet either.
    let file = dir.path().join("new").join("elsewhere.db");
    let url = format!("sqlite://{}", file.display());
    let out = run(&dir, &["demo", "--database-url", &url], "");
    assert!(out.status.success(), "{}", text(&out));
    assert!(file.is_file(), "{} was not created", file.display());
    // The default file was not used instead.
    assert!(!dir.path().join("skipcheck.db").exists());
    // Its own, and the folder made for it, whatever the umask.
    assert_private(&file);
    assert_private(file.parent().unwrap());
}

#[test]
fn a_database_is_where_its_url_or_data_directory_says_whatever_the_characters() {
    let dir = DataDir::new();
    // A URL's path is percent-decoded, as sqlx reads it.
    let url = format!("sqlite://{}/my%20people.db", dir.path().display());
    let out = run(&dir, &["demo", "--database-url", &url], "");
    assert!(out.status.success(), "{}", text(&out));
    let file = dir.path().join("my people.db");
    assert!(file.is_file(), "{} was not made", file.display());
    assert_private(&file);
    assert!(!dir.path().join("my%20people.db").exists(), "a stray file");
    let copy = dir.path().join("copy.db");
    let backup = run(
        &dir,
        &["backup", copy.to_str().unwrap(), "--database-url", &url],
        "",
    );
    assert!(backup.status.success(), "{}", text(&backup));

    // A data directory whose name a URL would read otherwise.
    let odd = dir.path().join("50%off?#");
    let out = common::skipcheck(&odd, &["demo"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(odd.join("skipcheck.db").is_file());
    assert_private(&odd);
}

/// `path` (a file or a folder) can be read by its owner only.
fn assert_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "{} has mode {mode:o}", path.display());
}

/// The lines `skipcheck serve` writes to standard error until it says it
/// is serving.
fn serve_log(log_format: &str) -> Vec<String> {
    use std::io::BufRead;
    let dir = DataDir::new();
    let args = [
        "--log-format",
        log_format,
        "serve",
        "--listen",
        "127.0.0.1:0",
    ];
    let mut child = common::skipcheck(dir.path(), &args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut lines = Vec::new();
    for line in stderr.lines() {
        let line = line.unwrap();
        let serving = line.contains("skipcheck is serving");
        lines.push(line);
        if serving {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    lines
}

#[test]
fn the_log_is_plain_text_in_a_file_and_json_on_request() {
    let text = serve_log("text");
    assert!(
        text.last()
            .is_some_and(|l| l.contains("skipcheck is serving")),
        "{text:?}"
    );
    assert!(
        text.iter().all(|l| !l.contains('\u{1b}')),
        "colour codes in a log that is not a terminal: {text:?}"
    );

    let json = serve_log("json");
    assert!(!json.is_empty());
    for line in &json {
        let event: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"));
        assert!(event["level"].is_string(), "{line}");
        assert!(event["timestamp"].is_string(), "{line}");
    }
    let last: serde_json::Value = serde_json::from_str(json.last().unwrap()).unwrap();
    assert_eq!(last["message"], "skipcheck is serving");
    assert!(
        last["listen"]
            .as_str()
            .is_some_and(|l| l.starts_with("127.0.0.1:"))
    );
}

/// A demo grown so that answers wait sealed under the server key, made
/// with `vars` set; the leader's email.
fn grown_demo(dir: &DataDir, vars: &[(&str, &str)]) -> String {
    let demo = run_with(
        dir,
        &["demo", "--json", "--people", "300", "--rounds", "2"],
        "",
        vars,
    );
    assert!(demo.status.success(), "{}", text(&demo));
    serde_json::from_slice::<serde_json::Value>(&demo.stdout).unwrap()["leader"]["email"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Removes the SQLite database's files from the data directory, as a lost
/// disk would.
fn lose_database(dir: &DataDir) {
    for name in ["skipcheck.db", "skipcheck.db-wal", "skipcheck.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(name));
    }
}

/// A backup refused because the key does not open the database's sealed
/// answers: it says so, and `copy` is not made.
fn refused_for_its_key(backup: &Output, copy: &std::path::Path) {
    assert!(!backup.status.success());
    assert!(
        text(backup).contains("does not go with"),
        "{}",
        text(backup)
    );
    assert!(!copy.exists());
}

#[test]
fn a_backup_with_its_key_restores_a_lost_data_directory() {
    let dir = DataDir::new();
    let leader = grown_demo(&dir, &[]);
    let key = dir.path().join("skipcheck.key");
    let copy = dir.path().join("copy.db");
    // With a key that does not open the database's sealed answers, no
    // backup is made.
    let right_key = std::fs::read(&key).unwrap();
    std::fs::write(&key, format!("{}\n", "ab".repeat(32))).unwrap();
    refused_for_its_key(&run(&dir, &["backup", copy.to_str().unwrap()], ""), &copy);
    std::fs::write(&key, &right_key).unwrap();

    let backup = run(&dir, &["backup", copy.to_str().unwrap()], "");
    assert!(backup.status.success(), "{}", text(&backup));
    assert!(copy.is_file());
    for made in ["skipcheck.db", "copy.db"] {
        assert_private(&dir.path().join(made));
    }
    let copied_key = dir.path().join("copy.db.key");
    assert_eq!(
        std::fs::read(&copied_key).unwrap(),
        std::fs::read(&key).unwrap()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copied_key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the key's copy is readable by others");
    }
    // Not over an existing file.
    let again = run(&dir, &["backup", copy.to_str().unwrap()], "");
    assert!(!again.status.success());

    // The data directory is lost.
    lose_database(&dir);
    std::fs::remove_file(&key).unwrap();
    // Without its key beside it, the backup is not put back: its sealed
    // answers could never be opened.
    std::fs::rename(&copied_key, dir.path().join("aside.key")).unwrap();
    let keyless = run(&dir, &["restore", copy.to_str().unwrap()], "");
    assert!(!keyless.status.success());
    assert!(text(&keyless).contains("copy.db.key"), "{}", text(&keyless));
    assert!(!dir.path().join("skipcheck.db").exists());
    std::fs::rename(dir.path().join("aside.key"), &copied_key).unwrap();
    let restore = run(&dir, &["restore", copy.to_str().unwrap()], "");
    assert!(restore.status.success(), "{}", text(&restore));
    assert_private(&dir.path().join("skipcheck.db"));
    assert_eq!(
        std::fs::read(&key).unwrap(),
        std::fs::read(&copied_key).unwrap()
    );
    // The leader's account is back.
    let link = run(&dir, &["admin", "reset-link", "--email", &leader], "");
    assert!(link.status.success(), "{}", text(&link));
    // Restoring over a database needs --force.
    let over = run(&dir, &["restore", copy.to_str().unwrap()], "");
    assert!(!over.status.success());
    assert!(text(&over).contains("--force"), "{}", text(&over));
}

#[test]
fn a_key_in_the_environment_checks_backup_and_restore_and_no_key_file_is_made() {
    let dir = DataDir::new();
    let right = "5a".repeat(32);
    let wrong = "a5".repeat(32);
    // A command run with the server key in SKIPCHECK_KEY.
    let with_key = |key: &str, args: &[&str]| run_with(&dir, args, "", &[("SKIPCHECK_KEY", key)]);
    let leader = grown_demo(&dir, &[("SKIPCHECK_KEY", &right)]);
    let key_file = dir.path().join("skipcheck.key");
    assert!(
        !key_file.exists(),
        "a key file was made beside SKIPCHECK_KEY"
    );
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.to_str().unwrap();
    let beside = dir.path().join("copy.db.key");

    // The environment's key is the one checked: a wrong one makes no backup.
    refused_for_its_key(&with_key(&wrong, &["backup", copy_arg]), &copy);

    let backup = with_key(&right, &["backup", copy_arg]);
    assert!(backup.status.success(), "{}", text(&backup));
    assert!(copy.is_file());
    assert!(text(&backup).contains("SKIPCHECK_KEY"), "{}", text(&backup));
    assert!(
        !beside.exists(),
        "the environment's key was written beside the backup"
    );

    // The data directory is lost; a stray key file lies beside the backup.
    lose_database(&dir);
    std::fs::write(&beside, format!("{wrong}\n")).unwrap();
    // A wrong key in the environment puts nothing back, whatever lies beside.
    let refused = with_key(&wrong, &["restore", copy_arg]);
    assert!(!refused.status.success());
    assert!(!dir.path().join("skipcheck.db").exists());
    // The right one restores, and the stray file is neither needed nor copied.
    let restore = with_key(&right, &["restore", copy_arg]);
    assert!(restore.status.success(), "{}", text(&restore));
    assert!(dir.path().join("skipcheck.db").is_file());
    assert!(
        !key_file.exists(),
        "restore wrote a key file beside SKIPCHECK_KEY"
    );
    let link = with_key(&right, &["admin", "reset-link", "--email", &leader]);
    assert!(link.status.success(), "{}", text(&link));
}

#[test]
fn a_running_server_is_not_restored_under_even_with_force() {
    let dir = DataDir::new();
    grown_demo(&dir, &[]);
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.to_str().unwrap();
    let backup = run(&dir, &["backup", copy_arg], "");
    assert!(backup.status.success(), "{}", text(&backup));
    let db = dir.path().join("skipcheck.db");
    let inode = |file: &Path| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(file).unwrap().ino()
    };
    let before = inode(&db);

    let addr = common::free_addr();
    let server = common::serve(dir.path(), addr, &[]);
    // What SQLite makes beside the file while it is open, as private.
    for side in ["skipcheck.db-wal", "skipcheck.db-shm"] {
        assert_private(&dir.path().join(side));
    }
    let refused = run(&dir, &["restore", "--force", copy_arg], "");
    assert!(!refused.status.success());
    assert!(text(&refused).contains("is using"), "{}", text(&refused));
    assert_eq!(inode(&db), before, "the live file was replaced");
    assert_eq!(common::get(addr, "/healthz").0, 200);

    // Stopped (even killed), it can be restored.
    drop(server);
    let restore = run(&dir, &["restore", "--force", copy_arg], "");
    assert!(restore.status.success(), "{}", text(&restore));
    assert_ne!(inode(&db), before);

    // While a restore holds the file, a command that would use it does not
    // start (here the restore is this test, holding what it holds).
    let lock = std::fs::File::open(dir.path().join("skipcheck.db.lock")).unwrap();
    lock.try_lock().unwrap();
    let waiting = run(
        &dir,
        &["admin", "reset-link", "--email", "x@example.com"],
        "",
    );
    assert!(!waiting.status.success());
    assert!(
        text(&waiting).contains("being restored"),
        "{}",
        text(&waiting)
    );
    drop(lock);

    // Into a folder that is not there yet: made, readable by its owner only.
    let elsewhere = dir.path().join("new").join("place");
    let url = format!("sqlite://{}", elsewhere.join("skipcheck.db").display());
    let moved = run(&dir, &["restore", copy_arg, "--database-url", &url], "");
    assert!(moved.status.success(), "{}", text(&moved));
    assert_private(&elsewhere);
    assert_private(&dir.path().join("new"));
    assert_private(&elsewhere.join("skipcheck.db"));
    assert!(!elsewhere.join("skipcheck.db.restoring").exists());
}
