//! Reads a checkout's HEAD commit and origin straight from `.git`, without running git.

use std::path::{Path, PathBuf};

/// HEAD commit and the web address of `origin`, where they can be read.
pub fn head_and_origin(root: &Path) -> (Option<String>, Option<String>) {
    let Some(git_dir) = git_dir(root) else {
        return (None, None);
    };
    // Linked work trees keep refs and config in the common directory.
    let common = std::fs::read_to_string(git_dir.join("commondir"))
        .ok()
        .map(|c| git_dir.join(c.trim()))
        .unwrap_or_else(|| git_dir.clone());
    (head(&git_dir, &common), origin(&common))
}

fn git_dir(root: &Path) -> Option<PathBuf> {
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
pub fn web_address(remote: &str) -> Option<String> {
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
