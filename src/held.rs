//! Long texts a build keeps in a scratch file instead of in memory: API definitions (88 of the
//! 100 MB a catalog read at 10,000 repositories) and the search index's document rows (tens of
//! megabytes, whatever the portal's size, with 20,000 docs pages). A build reads each of them
//! only a few times. Written once, read back with one positional read each.

use std::borrow::Cow;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// An unnamed scratch file, appended to from any thread; it is gone when the last text held in
/// it is dropped.
#[derive(Debug)]
pub struct Spill {
    file: File,
    end: AtomicU64,
}

impl Spill {
    /// A new scratch file in the system's temporary directory (`TMPDIR`); None when none can
    /// be made, and texts then stay in memory.
    pub fn new() -> Option<Arc<Spill>> {
        let file = tempfile::tempfile().ok()?;
        Some(Arc::new(Spill {
            file,
            end: AtomicU64::new(0),
        }))
    }

    /// Writes `bytes` at the end of the file; where they start, or None when the write fails.
    fn append(&self, bytes: &[u8]) -> Option<u64> {
        let offset = self.end.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        self.file.write_all_at(bytes, offset).ok().map(|()| offset)
    }
}

/// A text in memory or in a [`Spill`].
#[derive(Clone, Debug)]
pub enum HeldText {
    Memory(String),
    Spilled {
        spill: Arc<Spill>,
        offset: u64,
        len: usize,
    },
}

impl HeldText {
    /// `text`, written to `spill` when there is one and the write succeeds, else kept as it is.
    pub fn hold(text: String, spill: Option<&Arc<Spill>>) -> HeldText {
        let Some((spill, offset)) = spill.and_then(|s| Some((s, s.append(text.as_bytes())?)))
        else {
            return HeldText::Memory(text);
        };
        HeldText::Spilled {
            spill: Arc::clone(spill),
            offset,
            len: text.len(),
        }
    }

    /// Each of `texts`, written to `spill` in one write when there is one and it succeeds, else
    /// kept as they are: many short texts made together cost one system call, not one each.
    pub fn hold_all(texts: Vec<String>, spill: Option<&Arc<Spill>>) -> Vec<HeldText> {
        let written = spill.and_then(|s| Some((s, s.append(texts.concat().as_bytes())?)));
        let Some((spill, mut offset)) = written else {
            return texts.into_iter().map(HeldText::Memory).collect();
        };
        texts
            .iter()
            .map(|text| {
                let held = HeldText::Spilled {
                    spill: Arc::clone(spill),
                    offset,
                    len: text.len(),
                };
                offset += text.len() as u64;
                held
            })
            .collect()
    }

    pub fn byte_len(&self) -> usize {
        match self {
            HeldText::Memory(text) => text.len(),
            HeldText::Spilled { len, .. } => *len,
        }
    }

    /// The text; when the scratch file cannot be read back, the reason in its place, so that no
    /// page silently shows another text.
    pub fn text(&self) -> Cow<'_, str> {
        self.read().unwrap_or_else(Cow::Owned)
    }

    /// The text; an error when the scratch file cannot be read back.
    pub fn read(&self) -> Result<Cow<'_, str>, String> {
        let (spill, offset, len) = match self {
            HeldText::Memory(text) => return Ok(Cow::Borrowed(text)),
            HeldText::Spilled { spill, offset, len } => (spill, *offset, *len),
        };
        let mut bytes = vec![0; len];
        spill
            .file
            .read_exact_at(&mut bytes, offset)
            .map_err(|e| format!("cannot read the build's scratch file back: {e}"))?;
        String::from_utf8(bytes)
            .map(Cow::Owned)
            .map_err(|_| "the build's scratch file changed under it".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spilled_texts_read_back_as_written_from_any_thread() {
        let spill = Spill::new().expect("a scratch file");
        let texts: Vec<String> = (0..64)
            .map(|i| format!("openapi: 3.0.0 # {i} ünïcode\n").repeat(i))
            .collect();
        let held: Vec<HeldText> = std::thread::scope(|s| {
            let handles: Vec<_> = texts
                .iter()
                .map(|t| s.spawn(|| HeldText::hold(t.clone(), Some(&spill))))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (text, held) in texts.iter().zip(&held) {
            assert!(matches!(held, HeldText::Spilled { .. }));
            assert_eq!(held.byte_len(), text.len());
            assert_eq!(held.read().unwrap(), text.as_str());
        }
        assert_eq!(
            spill.end.load(Ordering::Relaxed),
            texts.iter().map(|t| t.len() as u64).sum::<u64>()
        );
    }

    #[test]
    fn texts_held_together_read_back_one_by_one() {
        let spill = Spill::new().expect("a scratch file");
        let before = HeldText::hold("first".to_string(), Some(&spill));
        let texts: Vec<String> = ["", "[\"docs\",\"\"]", "ünïcode", ""]
            .iter()
            .map(|t| t.to_string())
            .collect();
        let held = HeldText::hold_all(texts.clone(), Some(&spill));
        let after = HeldText::hold("last".to_string(), Some(&spill));
        assert_eq!(held.len(), texts.len());
        for (text, held) in texts.iter().zip(&held) {
            assert!(matches!(held, HeldText::Spilled { .. }));
            assert_eq!(held.read().unwrap(), text.as_str());
        }
        assert_eq!(before.read().unwrap(), "first");
        assert_eq!(after.read().unwrap(), "last");
        let in_memory = HeldText::hold_all(texts.clone(), None);
        assert!(in_memory.iter().all(|h| matches!(h, HeldText::Memory(_))));
    }

    #[test]
    fn without_a_spill_the_text_stays_in_memory() {
        let held = HeldText::hold("type Query { a: Int }".to_string(), None);
        assert!(matches!(held, HeldText::Memory(_)));
        assert_eq!(held.read().unwrap(), "type Query { a: Int }");
    }
}
