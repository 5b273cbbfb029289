//! Where the render cache keeps its entries: a few append-only segment files and one index.
//! A large build makes tens of thousands of entries; as a file each, creating them cost the
//! kernel more than rendering them. Each rendering thread appends to a segment of its own; the
//! index, written last and atomically (a temporary file, then a rename), is what makes a
//! build's entries visible, so a build that stops half-way leaves the cache as it was.

use crate::output::Key;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const INDEX: &str = "index";
const MAGIC: &[u8] = b"playbill render cache 1\n";
/// Writers a build appends through; rendering threads are spread over them.
const WRITERS: usize = 16;

/// Where one entry's bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Loc {
    segment: u32,
    offset: u64,
    len: u64,
}

/// One entry of the index.
#[derive(Clone, Debug)]
pub(super) struct Entry {
    /// Shared by every entry of the kind: an index lists hundreds of thousands of entries
    /// of a dozen kinds.
    pub kind: Arc<str>,
    pub loc: Loc,
}

/// The segments and index under one directory, as one build sees them.
pub(super) struct Segments {
    dir: PathBuf,
    /// Segment file names by number: those the index named, then this build's.
    names: Mutex<Vec<String>>,
    /// Segments numbered from here on are this build's own.
    first_new: u32,
    readers: Mutex<HashMap<u32, Arc<File>>>,
    writers: Vec<Mutex<Option<Writer>>>,
}

struct Writer {
    segment: u32,
    file: BufWriter<File>,
    len: u64,
}

impl Segments {
    /// The directory's segments and the entries its index lists (none when there is no index
    /// or it is damaged: the cache then starts afresh).
    pub(super) fn open(dir: &Path) -> (Segments, HashMap<Key, Entry>) {
        let (names, entries) = std::fs::read(dir.join(INDEX))
            .ok()
            .and_then(|bytes| parse_index(&bytes))
            .unwrap_or_default();
        let segments = Segments {
            dir: dir.to_path_buf(),
            first_new: names.len() as u32,
            names: Mutex::new(names),
            readers: Mutex::new(HashMap::new()),
            writers: (0..WRITERS).map(|_| Mutex::new(None)).collect(),
        };
        (segments, entries)
    }

    /// The bytes at `loc`; None when the segment is gone or shorter than the index says.
    pub(super) fn read(&self, loc: Loc) -> Option<Vec<u8>> {
        if loc.segment >= self.first_new {
            self.flush_writer_of(loc);
        }
        let file = self.reader(loc.segment)?;
        let mut bytes = vec![0; usize::try_from(loc.len).ok()?];
        file.read_exact_at(&mut bytes, loc.offset).ok()?;
        Some(bytes)
    }

    /// Appends `bytes` to the calling thread's segment.
    pub(super) fn append(&self, bytes: &[u8]) -> std::io::Result<Loc> {
        let slot = rayon::current_thread_index().map_or(0, |i| i + 1) % WRITERS;
        let mut writer = self.writers[slot].lock().expect("segment writer");
        if writer.is_none() {
            *writer = Some(self.new_writer()?);
        }
        let writer = writer.as_mut().expect("opened above");
        writer.file.write_all(bytes)?;
        let loc = Loc {
            segment: writer.segment,
            offset: writer.len,
            len: bytes.len() as u64,
        };
        writer.len += loc.len;
        Ok(loc)
    }

    /// Writes `entries` as the index, after every segment they point into is on disk, and
    /// removes segments the index no longer needs. A segment mostly made of entries no longer
    /// listed has its live entries copied into a new one first, so the cache does not grow
    /// without bound across builds.
    pub(super) fn save(&self, mut entries: HashMap<Key, Entry>) -> std::io::Result<()> {
        self.flush_all()?;
        self.compact(&mut entries)?;
        self.flush_all()?;
        let names = self.names.lock().expect("segment names").clone();
        let listed = renumber(&names, &mut entries);
        let temporary = self.dir.join(format!(".{INDEX}.{}", std::process::id()));
        std::fs::write(&temporary, encode_index(&listed, &entries))?;
        std::fs::rename(&temporary, self.dir.join(INDEX))?;
        for name in names.iter().filter(|n| !listed.contains(n)) {
            let _ = std::fs::remove_file(self.dir.join(name));
        }
        self.remove_strays(&listed);
        Ok(())
    }

    /// Copies the live entries of segments that are less than half live into a new segment.
    fn compact(&self, entries: &mut HashMap<Key, Entry>) -> std::io::Result<()> {
        let mut live: HashMap<u32, u64> = HashMap::new();
        for entry in entries.values() {
            *live.entry(entry.loc.segment).or_default() += entry.loc.len;
        }
        let sparse: std::collections::HashSet<u32> = live
            .iter()
            .filter(|(segment, bytes)| {
                let size = self.reader(**segment).and_then(|f| f.metadata().ok());
                size.is_some_and(|m| **bytes * 2 < m.len())
            })
            .map(|(segment, _)| *segment)
            .collect();
        for entry in entries.values_mut() {
            if sparse.contains(&entry.loc.segment) {
                let bytes = self.read(entry.loc).ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "a segment shrank")
                })?;
                entry.loc = self.append(&bytes)?;
            }
        }
        Ok(())
    }

    /// Files that are neither a listed segment nor the index: segments of builds that stopped
    /// before saving.
    fn remove_strays(&self, names: &[String]) {
        let Ok(listing) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in listing.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".seg") && !names.contains(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    fn new_writer(&self) -> std::io::Result<Writer> {
        std::fs::create_dir_all(&self.dir)?;
        let mut names = self.names.lock().expect("segment names");
        // Unique across builds, even in containers where every build runs as the same pid.
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!("{started:x}-{}-{}.seg", std::process::id(), names.len());
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.dir.join(&name))?;
        let segment = names.len() as u32;
        names.push(name);
        Ok(Writer {
            segment,
            file: BufWriter::with_capacity(1 << 20, file),
            len: 0,
        })
    }

    fn reader(&self, segment: u32) -> Option<Arc<File>> {
        let mut readers = self.readers.lock().expect("segment readers");
        if let Some(file) = readers.get(&segment) {
            return Some(file.clone());
        }
        let name = self
            .names
            .lock()
            .expect("segment names")
            .get(segment as usize)?
            .clone();
        let file = Arc::new(File::open(self.dir.join(name)).ok()?);
        readers.insert(segment, file.clone());
        Some(file)
    }

    /// An entry written earlier in this build may still sit in its writer's buffer: flushed
    /// only then, not on every read.
    fn flush_writer_of(&self, loc: Loc) {
        for writer in &self.writers {
            let mut writer = writer.lock().expect("segment writer");
            if let Some(w) = writer.as_mut().filter(|w| w.segment == loc.segment) {
                let on_disk = w.len - w.file.buffer().len() as u64;
                if loc.offset + loc.len > on_disk {
                    let _ = w.file.flush();
                }
                return;
            }
        }
    }

    fn flush_all(&self) -> std::io::Result<()> {
        for writer in &self.writers {
            if let Some(w) = writer.lock().expect("segment writer").as_mut() {
                w.file.flush()?;
            }
        }
        Ok(())
    }
}

/// The names of the segments `entries` point into, numbered afresh (and `entries` with them),
/// so the index lists no segment that is gone.
fn renumber(names: &[String], entries: &mut HashMap<Key, Entry>) -> Vec<String> {
    let mut live: Vec<u32> = entries.values().map(|e| e.loc.segment).collect();
    live.sort_unstable();
    live.dedup();
    for entry in entries.values_mut() {
        let number = live
            .binary_search(&entry.loc.segment)
            .expect("listed above");
        entry.loc.segment = number as u32;
    }
    live.iter().map(|&n| names[n as usize].clone()).collect()
}

fn encode_index(names: &[String], entries: &HashMap<Key, Entry>) -> Vec<u8> {
    // Sized at once: a large portal's index is megabytes, which growing would copy.
    let names_len: usize = names.iter().map(|n| 4 + n.len()).sum();
    let entries_len: usize = entries.values().map(|e| 32 + 4 + e.kind.len() + 20).sum();
    let mut out = Vec::with_capacity(MAGIC.len() + 4 + names_len + 8 + entries_len);
    out.extend(MAGIC);
    out.extend((names.len() as u32).to_le_bytes());
    for name in names {
        out.extend((name.len() as u32).to_le_bytes());
        out.extend(name.as_bytes());
    }
    out.extend((entries.len() as u64).to_le_bytes());
    for (key, entry) in entries {
        out.extend(key.0);
        out.extend((entry.kind.len() as u32).to_le_bytes());
        out.extend(entry.kind.as_bytes());
        out.extend(entry.loc.segment.to_le_bytes());
        out.extend(entry.loc.offset.to_le_bytes());
        out.extend(entry.loc.len.to_le_bytes());
    }
    out
}

type Index = (Vec<String>, HashMap<Key, Entry>);

/// `kind` as one of `kinds`, added when it is new.
pub(super) fn intern(kinds: &mut Vec<Arc<str>>, kind: &str) -> Arc<str> {
    if let Some(known) = kinds.iter().find(|k| ***k == *kind) {
        return known.clone();
    }
    let new: Arc<str> = kind.into();
    kinds.push(new.clone());
    new
}

fn parse_index(bytes: &[u8]) -> Option<Index> {
    let mut input = Input(bytes.strip_prefix(MAGIC)?);
    let names = (0..input.u32()?)
        .map(|_| input.text())
        .collect::<Option<Vec<_>>>()?;
    let count = input.u64()?;
    let mut entries = HashMap::with_capacity(usize::try_from(count).ok()?.min(1 << 20));
    let mut kinds = Vec::new();
    for _ in 0..count {
        let key = Key(input.take(32)?.try_into().ok()?);
        let kind = intern(&mut kinds, input.str()?);
        let loc = Loc {
            segment: input.u32()?,
            offset: input.u64()?,
            len: input.u64()?,
        };
        if loc.segment as usize >= names.len() {
            return None;
        }
        entries.insert(key, Entry { kind, loc });
    }
    input.0.is_empty().then_some((names, entries))
}

/// Length-prefixed bytes (the index, a packed entry), read front to back.
pub(super) struct Input<'a>(pub(super) &'a [u8]);

impl Input<'_> {
    pub(super) fn take(&mut self, n: usize) -> Option<&[u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub(super) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn text(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }

    fn str(&mut self) -> Option<&str> {
        let len = usize::try_from(self.u32()?).ok()?;
        std::str::from_utf8(self.take(len)?).ok()
    }
}
