//! Reads a checkout's HEAD commit and origin straight from `.git`, without running git.

use std::path::{Path, PathBuf};

/// HEAD commit and the web address of `origin`, where they can be read.
pub(super) fn head_and_origin(root: &Path) -> (Option<String>, Option<String>) {
    let Some(git_dir) = git_dir(root) else {
        return (None, None);
    };
    let common = common_dir(&git_dir);
    (head(&git_dir, &common), origin(&common))
}

/// Linked work trees keep refs, config and objects in the common directory.
fn common_dir(git_dir: &Path) -> PathBuf {
    std::fs::read_to_string(git_dir.join("commondir"))
        .ok()
        .map(|c| git_dir.join(c.trim()))
        .unwrap_or_else(|| git_dir.to_path_buf())
}

pub(super) fn git_dir(root: &Path) -> Option<PathBuf> {
    let dot_git = root.join(".git");
    if dot_git.is_dir() {
        return Some(dot_git);
    }
    let text = std::fs::read_to_string(&dot_git).ok()?;
    let target = text.strip_prefix("gitdir:")?.trim();
    Some(root.join(target))
}

fn head(git_dir: &Path, common: &Path) -> Option<String> {
    let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref:").map(str::trim) else {
        return is_sha(head).then(|| head.to_string());
    };
    for dir in [git_dir, common] {
        if let Ok(sha) = std::fs::read_to_string(dir.join(reference)) {
            let sha = sha.trim();
            if is_sha(sha) {
                return Some(sha.to_string());
            }
        }
    }
    let packed = std::fs::read_to_string(common.join("packed-refs")).ok()?;
    packed.lines().find_map(|line| {
        let (sha, name) = line.split_once(' ')?;
        (name.trim() == reference && is_sha(sha)).then(|| sha.to_string())
    })
}

fn is_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn origin(common: &Path) -> Option<String> {
    let config = std::fs::read_to_string(common.join("config")).ok()?;
    let mut in_origin = false;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_origin = line == "[remote \"origin\"]";
        } else if in_origin {
            if let Some((key, value)) = line.split_once('=') {
                if key.trim() == "url" {
                    return web_address(value.trim());
                }
            }
        }
    }
    None
}

/// `https://token@host/org/repo.git` or `git@host:org/repo.git` -> `https://host/org/repo`.
/// Credentials never survive: the portal is read by everyone.
pub(super) fn web_address(remote: &str) -> Option<String> {
    let remote = remote.trim_end_matches('/').trim_end_matches(".git");
    if let Some(rest) = remote
        .strip_prefix("https://")
        .or_else(|| remote.strip_prefix("http://"))
        .or_else(|| remote.strip_prefix("ssh://"))
    {
        let rest = rest.rsplit_once('@').map(|(_, host)| host).unwrap_or(rest);
        // ssh://git@host:22/org/repo: drop a port, keep the path.
        let (host, path) = rest.split_once('/')?;
        let host = host.split(':').next()?;
        return Some(format!("https://{host}/{path}"));
    }
    let (user_host, path) = remote.split_once(':')?;
    let host = user_host
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(user_host);
    if host.is_empty() || path.is_empty() || host.contains('/') {
        return None;
    }
    Some(format!("https://{host}/{}", path.trim_start_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_addresses_drop_credentials() {
        assert_eq!(
            web_address("https://x-access-token:ghs_abc@github.com/kloudvin/ledger.git").as_deref(),
            Some("https://github.com/kloudvin/ledger")
        );
        assert_eq!(
            web_address("git@github.com:kloudvin/ledger.git").as_deref(),
            Some("https://github.com/kloudvin/ledger")
        );
        assert_eq!(
            web_address("ssh://git@git.example.com:2222/a/b").as_deref(),
            Some("https://git.example.com/a/b")
        );
        assert_eq!(web_address("/local/path"), None);
    }

    #[test]
    fn reads_head_through_a_branch_and_packed_refs() {
        let dir = tempfile::tempdir().unwrap();
        let git = dir.path().join(".git");
        std::fs::create_dir_all(git.join("refs/heads")).unwrap();
        std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        let sha = "0123456789abcdef0123456789abcdef01234567";
        std::fs::write(
            git.join("packed-refs"),
            format!("# pack-refs\n{sha} refs/heads/main\n"),
        )
        .unwrap();
        std::fs::write(
            git.join("config"),
            "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:o/r.git\n",
        )
        .unwrap();
        let (head, origin) = head_and_origin(dir.path());
        assert_eq!(head.as_deref(), Some(sha));
        assert_eq!(origin.as_deref(), Some("https://github.com/o/r"));
    }
}

/// The committer time (seconds since the epoch) of `commit`, read from a loose object or a
/// pack. None when the object is stored as a delta or cannot be read: callers fall back.
pub(super) fn commit_time(root: &Path, commit: &str) -> Option<i64> {
    let git_dir = git_dir(root)?;
    let objects = common_dir(&git_dir).join("objects");
    let body = loose_object(&objects, commit).or_else(|| packed_object(&objects, commit))?;
    let text = String::from_utf8_lossy(&body);
    let committer = text
        .lines()
        .take_while(|l| !l.is_empty())
        .find(|l| l.starts_with("committer "))?;
    let mut parts = committer.rsplitn(3, ' ');
    let _zone = parts.next()?;
    parts.next()?.parse().ok()
}

fn inflate(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(bytes)
        .take(1 << 20)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

fn loose_object(objects: &Path, sha: &str) -> Option<Vec<u8>> {
    let raw = std::fs::read(objects.join(&sha[..2]).join(&sha[2..])).ok()?;
    let data = inflate(&raw)?;
    let header_end = data.iter().position(|b| *b == 0)?;
    data.starts_with(b"commit ")
        .then(|| data[header_end + 1..].to_vec())
}

/// Looks `sha` up in every pack index (version 2) and reads it when it is stored whole.
fn packed_object(objects: &Path, sha: &str) -> Option<Vec<u8>> {
    let wanted: Vec<u8> = (0..20)
        .map(|i| u8::from_str_radix(sha.get(2 * i..2 * i + 2)?, 16).ok())
        .collect::<Option<_>>()?;
    let mut packs: Vec<PathBuf> = std::fs::read_dir(objects.join("pack"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "idx"))
        .collect();
    packs.sort();
    for idx_path in packs {
        let idx = std::fs::read(&idx_path).ok()?;
        let Some(offset) = pack_offset(&idx, &wanted) else {
            continue;
        };
        let pack = std::fs::read(idx_path.with_extension("pack")).ok()?;
        let mut pos = usize::try_from(offset).ok()?;
        let mut byte = *pack.get(pos)?;
        let kind = (byte >> 4) & 7;
        while byte & 0x80 != 0 {
            pos += 1;
            byte = *pack.get(pos)?;
        }
        // 1 is a commit stored whole; deltas (6, 7) would need their base: not worth it here.
        return if kind == 1 {
            inflate(pack.get(pos + 1..)?)
        } else {
            None
        };
    }
    None
}

fn pack_offset(idx: &[u8], sha: &[u8]) -> Option<u64> {
    let be32 = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(idx.get(at..at + 4)?.try_into().ok()?))
    };
    if idx.get(..4)? != b"\xfftOc" || be32(4)? != 2 {
        return None;
    }
    let fanout = |i: usize| be32(8 + 4 * i);
    let count = fanout(255)? as usize;
    let first = sha[0] as usize;
    let (lo, hi) = (
        if first == 0 {
            0
        } else {
            fanout(first - 1)? as usize
        },
        fanout(first)? as usize,
    );
    let names = 8 + 256 * 4;
    let i = (lo..hi).find(|&i| idx.get(names + 20 * i..names + 20 * i + 20) == Some(sha))?;
    let offsets = names + 20 * count + 4 * count;
    let offset = be32(offsets + 4 * i)?;
    if offset & 0x8000_0000 == 0 {
        return Some(u64::from(offset));
    }
    let large = offsets + 4 * count + 8 * (offset & 0x7fff_ffff) as usize;
    Some(u64::from_be_bytes(
        idx.get(large..large + 8)?.try_into().ok()?,
    ))
}

#[cfg(test)]
mod commit_time_tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> bool {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_DATE", "1700000000 +0000")
            .env("GIT_COMMITTER_DATE", "1700000123 +0000")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    #[test]
    fn reads_the_committer_time_loose_and_packed() {
        let dir = tempfile::tempdir().unwrap();
        if !git(dir.path(), &["init", "-q"]) {
            return; // git is not installed: nothing to compare against
        }
        std::fs::write(dir.path().join("a"), "x").unwrap();
        assert!(git(dir.path(), &["add", "a"]));
        assert!(git(dir.path(), &["commit", "-q", "-m", "m"]));
        let (head, _) = head_and_origin(dir.path());
        let head = head.unwrap();
        assert_eq!(commit_time(dir.path(), &head), Some(1700000123));
        assert!(git(
            dir.path(),
            &["gc", "-q", "--aggressive", "--prune=now"]
        ));
        assert!(
            loose_object(&dir.path().join(".git/objects"), &head).is_none(),
            "the commit is packed now"
        );
        assert_eq!(commit_time(dir.path(), &head), Some(1700000123));
    }
}
