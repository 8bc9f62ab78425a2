//! `ctl hunt`: Sigma rules over a dump, a timeline of their matches.
//!
//! Loads and compiles the rules (the sigma crate), reports those it cannot use, then scans
//! with the shared engine. Per record the rule set's literal screen decides whether any rule
//! may match (where it pays: see [`ScreenUse`]); only then is the record indexed and its
//! candidate rules (dispatched by the values of a field they require) evaluated, and only a match is
//! checked against the query predicates and the JSON contract. Matches are kept with their
//! rule numbers in the bounded store of ordered query output (sorted runs spilled to temporary
//! files past a quarter of --max-memory), so memory does not grow with the dump; matches of
//! rules that correlations use are kept as small observations (time, group digest, value) for
//! the correlation sweep, bounded the same way (sorted by group into runs on disk past an
//! eighth of --max-memory).
//! Exit status as query: 0 when something was found, 1 when nothing was.

use std::collections::HashMap;
use std::io::{BufWriter, Write};

use anyhow::Context;
use chrono::Utc;

use super::session::{Outcome, Session};
use super::{Answer, Global, Status};
use crate::cli::{HuntArgs, LevelArg};
use crate::output::hunt::HuntSink;
use cloudtrail::query::collect::Matches;
use cloudtrail::query::screen::LiteralScreen;
use cloudtrail::query::spill::Spill;
use cloudtrail::query::Selection;
use cloudtrail::record::{EventView, Refusal};
use cloudtrail::scan::Visitor;
use sigma::event::Index;
use sigma::observations::{Observations, Runs};
use sigma::{Choice, Level, RuleSet};

/// Sort key of events without a usable eventTime: after all others.
const NO_TIME: i64 = i64::MAX;

/// Runs `ctl hunt`.
pub fn run(args: &HuntArgs, global: &Global) -> anyhow::Result<Status> {
    let placeholders = placeholders(args)?;
    let choice = Choice {
        min_level: args.min_level.map(level),
        statuses: args.status.clone(),
        tags: args.tags.clone(),
        exclude_tags: args.exclude_tags.clone(),
    };
    let loaded = sigma::load(&args.rules, &placeholders, &choice).context("reading the rules")?;
    if args.list {
        return list(loaded, args, global);
    }
    if !global.quiet {
        for skipped in &loaded.skipped {
            let title = skipped.title.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
            eprintln!(
                "ctl: rule skipped: {}{}: {}",
                crate::output::sanitize::escape_str(&skipped.file.display().to_string(), false),
                crate::output::sanitize::escape_str(&title, false),
                crate::output::sanitize::escape_str(&skipped.error.to_string(), false)
            );
        }
    }
    let (files, skipped, unchosen) = (loaded.files, loaded.skipped.len(), loaded.unchosen.len());
    let set = RuleSet::new(loaded);
    if set.rules.is_empty() {
        anyhow::bail!("no rule to run: {files} rule files read, {skipped} rules skipped, {unchosen} not chosen");
    }
    let scope = args.select.criteria().compile(Utc::now()).map_err(|e| super::plan_error(e, &args.select))?;
    let paths = cloudtrail::query::paths_or_here(&args.paths);
    let session = Session::discover(&paths, &scope.prune, args.strict, global)?;
    let spill = super::sort_spill(&paths, global)?;
    // Correlation observations may hold an eighth of --max-memory before they spill.
    let runs = Runs::new(super::spill_dir(&paths)?, super::run_bytes(global, 8));
    let visitor = Hunter {
        set: &set,
        selection: &scope.selection,
        screen: &scope.prefilter,
        spill: &spill,
        runs: &runs,
        dedup: session.seen.is_some(),
        seen: session.seen.as_ref(),
    };
    let scanned = session.scan(&visitor);
    let (stats, stopped, unreadable) = (scanned.stats, scanned.stopped_on_problem, session.unreadable(&scanned));
    let Found { matches, observations, .. } = scanned.acc;
    let (match_runs, observation_runs) = (spill.runs(), runs.len());
    let mut sorted = spill.finish(matches).context("sorting the matches on disk")?;
    if match_runs > 0 {
        session.talk(&format!("note: the matches were sorted in {match_runs} runs on disk (bounded by --max-memory)"));
    }
    let correlated = observations.finish(runs, &set.correlations).context("sweeping the correlations on disk")?;
    if observation_runs > 0 {
        session.talk(&format!(
            "note: the correlations' observations were sorted in {observation_runs} runs on disk (bounded by --max-memory)"
        ));
    }

    let format = global.output_format(args.output);
    let stdout = Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout()));
    let mut sink = HuntSink::new(format, stdout, global.screen());
    let mut rule_hits = vec![0u64; set.rules.len()];
    let mut correlation_hits = vec![0u64; set.correlations.len()];
    let mut pending = correlated.iter().peekable();
    let mut hits = 0u64;
    let mut metas = Vec::new();
    if !stopped {
        sorted
            .for_each_tagged_ahead(|raw, tag| {
                let (time, lines, rules) = untag(tag);
                while let Some(hit) = pending.next_if(|h| h.last_ms <= time) {
                    correlation_hits[hit.correlation] += 1;
                    sink.correlation(hit, &set.correlations[hit.correlation])?;
                }
                metas.clear();
                for rule in rules {
                    rule_hits[rule] += 1;
                    metas.push((rule, &set.rules[rule].meta));
                }
                sink.event(time, raw, lines, &metas)?;
                Ok(())
            })
            .context("writing the results")?;
        for hit in pending {
            correlation_hits[hit.correlation] += 1;
            sink.correlation(hit, &set.correlations[hit.correlation]).context("writing the results")?;
        }
        let mut per_rule: Vec<(&sigma::Meta, u64)> = set
            .rules
            .iter()
            .zip(&rule_hits)
            .map(|(r, &n)| (&r.meta, n))
            .chain(set.correlations.iter().zip(&correlation_hits).map(|(c, &n)| (&c.meta, n)))
            .filter(|(_, n)| *n > 0)
            .collect();
        per_rule.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.title.cmp(&b.0.title)));
        let mut levels: HashMap<Level, u64> = HashMap::new();
        for (meta, n) in &per_rule {
            *levels.entry(meta.level.unwrap_or(Level::Informational)).or_default() += n;
            hits += n;
        }
        let per_level: Vec<(&'static str, u64)> =
            Level::ALL.iter().rev().filter_map(|l| levels.get(l).map(|&n| (l.name(), n))).collect();
        sink.finish(&per_rule, &per_level).context("writing the results")?;
    }
    session.count_copies(sorted.copies());
    let rules = set.rules.iter().filter(|r| r.standalone).count() + set.correlations.len();
    let phrase = format!("{hits} hits of {rules} rules ({} events matched)", sorted.matched());
    session.summary(&stats, Outcome { phrase: &phrase, key: "hits", count: hits });
    let _ = std::io::stderr().flush();
    Ok(crate::exit::status(Answer::Search { matched: hits > 0 }, unreadable))
}

fn level(arg: LevelArg) -> Level {
    match arg {
        LevelArg::Informational => Level::Informational,
        LevelArg::Low => Level::Low,
        LevelArg::Medium => Level::Medium,
        LevelArg::High => Level::High,
        LevelArg::Critical => Level::Critical,
    }
}

/// Bytes of a tag before the rule numbers: the eventTime and whether the event spans lines.
const TAG_HEAD: usize = 9;

/// A match's tag: its eventTime (Unix ms), whether it spans lines (found here, on all cores,
/// rather than while printing), then the numbers of the rules it matched, little-endian.
fn tag(out: &mut Vec<u8>, time: i64, raw: &[u8], rules: impl Iterator<Item = u32>) {
    out.clear();
    out.extend_from_slice(&time.to_le_bytes());
    out.push(u8::from(crate::output::hunt::spans_lines(raw)));
    rules.for_each(|r| out.extend_from_slice(&r.to_le_bytes()));
}

/// The time, whether the event spans lines, and the rule numbers of a tag made by [`tag`].
fn untag(tag: &[u8]) -> (i64, bool, impl Iterator<Item = usize> + '_) {
    let (head, rules) = tag.split_at(TAG_HEAD.min(tag.len()));
    let time = head.get(..8).and_then(|t| t.try_into().ok()).map_or(NO_TIME, i64::from_le_bytes);
    let lines = head.get(8).is_some_and(|&b| b == 1);
    (time, lines, rules.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize))
}

/// The placeholder values of `--placeholder NAME=VALUE` and `--placeholders FILE`.
fn placeholders(args: &HuntArgs) -> anyhow::Result<sigma::value::Placeholders> {
    let mut map = sigma::value::Placeholders::new();
    if let Some(file) = &args.placeholders {
        let text = super::read_option_file(file)?;
        let docs = sigma::load::parse_placeholders(&text).with_context(|| format!("{}", file.display()))?;
        for (name, values) in docs {
            map.entry(name).or_default().extend(values);
        }
    }
    for item in &args.placeholder {
        let Some((name, value)) = item.split_once('=') else {
            anyhow::bail!("--placeholder {item:?}: write NAME=VALUE");
        };
        map.entry(name.trim().trim_matches('%').to_string()).or_default().push(value.to_string());
    }
    Ok(map)
}

/// `--list`: every rule loaded (kind, level, status), then every rule skipped or not chosen,
/// with the reason; the counts on stderr.
fn list(loaded: sigma::Loaded, args: &HuntArgs, global: &Global) -> anyhow::Result<Status> {
    use cloudtrail::fields::Cell;
    let format = global.output_format(args.output);
    let stdout = Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout()));
    let columns = ["state", "kind", "level", "status", "title", "id", "file", "reason"].map(String::from).to_vec();
    let mut sink = crate::output::row_sink(format, columns, stdout, global.screen());
    let text = |s: Option<&str>| s.map_or(Cell::Missing, |s| Cell::Text(s.to_string().into()));
    let row = |state: &str, kind: &str, meta: &sigma::Meta, reason: Option<&str>| {
        vec![
            Cell::Text(state.to_string().into()),
            Cell::Text(kind.to_string().into()),
            text(meta.level.map(Level::name)),
            text(meta.status.as_deref()),
            Cell::Text(meta.title.clone().into()),
            text(meta.id.as_deref()),
            Cell::Text(meta.file.display().to_string().into()),
            text(reason),
        ]
    };
    for rule in &loaded.rules {
        let kind = if rule.standalone { "detection" } else { "correlated" };
        sink.row(&row("loaded", kind, &rule.meta, None)).context("writing the list")?;
    }
    for c in &loaded.correlations {
        sink.row(&row("loaded", c.kind.name(), &c.meta, None)).context("writing the list")?;
    }
    for s in &loaded.skipped {
        let meta =
            sigma::Meta { title: s.title.clone().unwrap_or_default(), file: s.file.clone(), ..Default::default() };
        sink.row(&row("skipped", "", &meta, Some(&s.error.to_string()))).context("writing the list")?;
    }
    for u in &loaded.unchosen {
        sink.row(&row("not chosen", "", &u.meta, Some(&u.why))).context("writing the list")?;
    }
    sink.finish().context("writing the list")?;
    if !global.quiet {
        let detections = loaded.rules.iter().filter(|r| r.standalone).count();
        eprintln!(
            "ctl: {} rule files: {} rules loaded ({detections} detection, {} used by correlations, {} correlations), {} skipped, {} not chosen, {} filters applied",
            loaded.files,
            loaded.rules.len() + loaded.correlations.len(),
            loaded.rules.len() - detections,
            loaded.correlations.len(),
            loaded.skipped.len(),
            loaded.unchosen.len(),
            loaded.filters
        );
        let dispatch = sigma::RuleSet::new(loaded).dispatch();
        let indexed: Vec<String> =
            dispatch.indexed.iter().map(|(field, rules)| format!("{rules} by {field}")).collect();
        eprintln!(
            "ctl: rules tried on a record only when it has a value they require: {}; {} tried on every record; {} without a literal to screen records by",
            if indexed.is_empty() { "none".to_string() } else { indexed.join(", ") },
            dispatch.general,
            dispatch.unscreened
        );
    }
    Ok(Status::Success)
}

/// What one task of the scan found.
pub struct Found {
    matches: Matches,
    observations: Observations,
    /// Reused per record: the record's member index and the rules it matched.
    index: Index,
    rules: Vec<u32>,
    tag: Vec<u8>,
    screen: ScreenUse,
}

/// Whether the record screen pays on the records a task sees. The screen is a pass over the
/// record that spares the rest only when it rejects it; where nearly every record holds some
/// rule's literal (a dense rule set, a dump of the very calls the rules watch), that pass is
/// pure cost. So it is tried on every record until a window of [`ScreenUse::WINDOW`] tries
/// shows it rejected fewer than one in ten, then on one record in [`ScreenUse::SAMPLE`] only,
/// until a window shows it pays again. Skipping the screen never changes a result: it only
/// spares rules that cannot match.
#[derive(Debug, Default)]
struct ScreenUse {
    records: u32,
    tried: u32,
    rejected: u32,
    idle: bool,
}

impl ScreenUse {
    const WINDOW: u32 = 256;
    const SAMPLE: u32 = 16;

    /// Whether to screen this record.
    fn now(&mut self) -> bool {
        self.records = self.records.wrapping_add(1);
        !self.idle || self.records.is_multiple_of(Self::SAMPLE)
    }

    /// Counts a screened record.
    fn screened(&mut self, rejected: bool) {
        self.tried += 1;
        self.rejected += u32::from(rejected);
        if self.tried == Self::WINDOW {
            self.idle = self.rejected * 10 < self.tried;
            (self.tried, self.rejected) = (0, 0);
        }
    }
}

/// The scan's visitor: rules first (screened and dispatched), then the query predicates and
/// the JSON contract on what matched.
struct Hunter<'p> {
    set: &'p RuleSet,
    selection: &'p Selection,
    screen: &'p LiteralScreen,
    spill: &'p Spill,
    runs: &'p Runs,
    dedup: bool,
    /// Events seen by the correlations (a copy delivered twice is counted once).
    seen: Option<&'p cloudtrail::dedup::Seen>,
}

impl Visitor for Hunter<'_> {
    type Acc = Found;

    fn new_acc(&self) -> Found {
        Found {
            matches: Matches::new(self.dedup).recycling(self.spill.pool()),
            observations: Observations::new(self.set.correlations.len()),
            // The reader's bracket counter (SIMD) skips the containers rules do not look into.
            index: Index::new(cloudtrail::record::skip_lenient),
            rules: Vec::new(),
            tag: Vec::new(),
            screen: ScreenUse::default(),
        }
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.set.may_match(data) && (!self.screen.is_active() || self.screen.may_match(data))
    }

    fn record(&self, acc: &mut Found, file: usize, ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
        if acc.screen.now() {
            let rejected = !self.set.may_match(raw);
            acc.screen.screened(rejected);
            if rejected {
                return Ok(());
            }
        }
        let Found { matches, observations, index, rules, tag: buffer, .. } = acc;
        let event = index.load(raw)?;
        self.set.matches_event(&event, rules);
        if rules.is_empty() {
            return Ok(());
        }
        let view = if self.selection.is_empty() {
            // The members the rules were evaluated on make the view: no second walk.
            cloudtrail::record::admit_members(raw, |f| event.for_each_member(f))?
        } else {
            let view = EventView::parse(raw)?;
            if !self.selection.matches(&view, raw) {
                return Ok(());
            }
            cloudtrail::record::admit(raw, &view)?;
            view
        };
        let time = view.event_time_ms().unwrap_or(NO_TIME);
        let standalone = rules.iter().copied().filter(|&r| self.set.rules[r as usize].standalone);
        tag(buffer, time, raw, standalone);
        let correlated = rules.iter().any(|&r| !self.set.feeds[r as usize].is_empty());
        if buffer.len() > TAG_HEAD {
            matches.push_tagged(time, file, ordinal, raw, buffer);
            self.spill.offer(matches);
        }
        if correlated && self.seen.is_none_or(|seen| seen.first_sighting(raw)) {
            for &rule in rules.iter() {
                for &(c, slot) in &self.set.feeds[rule as usize] {
                    observations.observe(c, &self.set.correlations[c], slot, &event, time, (file as u32, ordinal));
                }
            }
            self.runs.offer(observations);
        }
        Ok(())
    }

    fn merge(&self, a: Found, b: Found) -> Found {
        let mut matches = a.matches.merge(b.matches);
        self.spill.offer(&mut matches);
        let mut observations = a.observations.merge(b.observations);
        self.runs.offer(&mut observations);
        Found { matches, observations, index: a.index, rules: a.rules, tag: a.tag, screen: a.screen }
    }

    fn done(&self) -> bool {
        self.spill.failed() || self.runs.failed()
    }
}
