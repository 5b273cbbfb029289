#!/usr/bin/env python3
"""Generate a synthetic organisation for Playbill benchmarks.

    python3 benches/synth_org.py --repos 1000 --out /tmp/org [--seed 1] [--docs-pages 20]

Writes OUT/<repo>/... (one directory per repository) and OUT/site.toml:

* ``org/``: a Location (catalog-info.yaml) pointing at groups.yaml, users.yaml
  and systems.yaml -- an organisation root group, departments, teams, users,
  systems and domains; a list of more than 1,000 goes on in users-2.yaml and so
  on, since Playbill reads at most 1,000 documents from a file by default.
* ``svc-NNNN-<word>/``: one Component per repository, often an API with an
  OpenAPI 3 definition beside it (``$text: ./openapi.yaml``), sometimes a
  Resource; plus ``mkdocs.yml`` and ``docs/`` with ``--docs-pages`` Markdown
  pages of generated prose (Zipf-distributed vocabulary of a few thousand
  words, headings, code fences, tables, admonitions, lists, relative links).

The output depends only on the arguments: the same arguments give a
byte-identical tree (every random choice comes from a ``random.Random``
seeded with a string derived from ``--seed`` and the file being written).
Standard library only.
"""

from __future__ import annotations

import argparse
from array import array
import json
import os
import posixpath
import random
import re
import shutil
import sys
import time
from pathlib import Path

ORG = "synthetic-org"
EMAIL_DOMAIN = "synthetic-org.example"
GITHUB_OWNER = "synthetic-org"
API_VERSION = "backstage.io/v1alpha1"
STAMP_FILE = ".synth-org.json"
GENERATOR_VERSION = 1
VOCAB_SIZE = 4000

# --------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------

FUNCTION_WORDS = """
the of and to a in is for that it on with as this be are by from or at when
which an not can if each we you will all its has have into but one more only
then so use also any other new than these after before should must may per
every no our your they there their how what where while until because both
most some such through between about over under without within across during
""".split()

CONTENT_WORDS = """
service request cluster deploy deployment pipeline queue message event schema
latency throughput cache database replica shard index query token session
gateway proxy endpoint handler worker job batch stream topic partition
consumer producer broker ledger invoice payment checkout cart order inventory
catalog search ranking recommendation profile account identity permission
role policy audit billing pricing discount coupon shipping fulfilment
warehouse notification email webhook scheduler cron retry backoff timeout
circuit breaker rollout canary feature flag experiment metric dashboard alert
incident runbook escalation page log trace span sampling exporter collector
config secret certificate rotation migration backfill snapshot backup restore
region zone failover quota limit budget capacity autoscaler node pod container
image registry artifact build release version changelog contract client
library binding adapter connector plugin template manifest chart namespace
label selector annotation probe readiness liveness health status heartbeat
lease lock transaction commit rollback isolation consistency payload header
cookie certificate tenant organisation team owner steward reviewer approval
merge branch tag pull push fetch sync callback thread pool connection socket
buffer serializer protobuf schema bucket object blob storage volume disk
memory heap allocation system data user customer process time value change
state result error failure issue problem support guide step stage phase window
period threshold baseline target goal plan review decision design approach
pattern model layer boundary interface component module package function
method field record entry table column row key list map array string number
integer boolean date timestamp duration interval handle validate verify check
ensure enable disable configure update create delete remove add store load
read write send receive publish subscribe emit consume parse render compute
aggregate filter sort split route forward reject accept approve cancel refund
reconcile settle authorise authenticate encrypt decrypt sign hash compress
scale drain restart reload promote monitor observe measure report notify
escalate acknowledge resolve investigate mitigate recover document describe
explain fast slow stable reliable available durable secure internal external
public private primary secondary upstream downstream regional global local
remote shared dedicated critical optional required default custom legacy
modern current previous next initial final partial complete eventual strict
manual automatic scheduled pending active inactive healthy degraded expired
valid invalid large small high low maximum minimum average typical specific
generic engineer operator developer maintainer environment staging production
sandbox preview nightly weekly daily hourly traffic load spike burst backlog
lag offset cursor pagination filter bulk export import upload download archive
retention compliance privacy consent encryption rotation vault access grant
scope audience issuer claim signature digest checksum replay ordering
deduplication idempotency outbox saga workflow orchestration choreography
contract versioning deprecation sunset compatibility fallback default override
precedence resolution lookup registry discovery mesh sidecar ingress egress
firewall subnet peering endpoint hostname domain certificate resolver cdn edge
origin purge invalidation warmup coldstart footprint overhead regression
benchmark profile flamegraph allocation leak saturation utilisation headroom
forecast projection estimate sizing tuning knob parameter setting option
variable secretref configmap manifest overlay kustomize helm terraform module
provider state drift plan apply destroy import output input variable locals
""".split()

ONSETS = ["b", "br", "c", "ch", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k",
          "kl", "l", "m", "n", "p", "pl", "pr", "qu", "r", "s", "sh", "sk", "sl",
          "sp", "st", "t", "th", "tr", "v", "w", "z"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y"]
CODAS = ["", "", "", "n", "r", "l", "s", "x", "m", "nd", "rk", "st", "th", "ck"]
SUFFIXES = ["", "", "", "", "", "", "ify", "ator", "ism", "ance", "er", "ion", "ite", "ex", "o", "a"]

# Invented words containing any of these are skipped.
BLOCKED = ("fuck", "shit", "cunt", "cock", "dick", "piss", "slut", "whore", "fag", "nig", "rape",
           "porn", "sex", "anal", "tit", "cum", "kike", "spic", "twat", "wank", "bitch", "jizz",
           "nazi", "butt", "crap", "damn", "hell", "kill", "die", "dead", "suck", "homo", "poo")

SERVICE_WORDS = """
ledger checkout cart payments billing invoices search catalog inventory pricing
shipping notifications identity auth accounts profiles orders returns refunds
fraud risk reporting analytics metrics audit gateway router scheduler mailer
sms push webhooks export import sync uploads media thumbnails transcoder
recommendations reviews ratings wishlist loyalty rewards coupons promotions tax
currency fx settlement payouts kyc onboarding consent preferences sessions
tokens keys secrets config flags experiments feedback support tickets chat
forum wiki status health quotas usage metering subscriptions plans contracts
partners vendors suppliers warehouse fulfilment tracking delivery routing maps
geo addresses locations stores menus bookings calendar availability slots
receipts statements disputes chargebacks limits entitlements licences
permissions roles directory avatars translations localisation currencies
merchants sellers buyers bids auctions listings offers quotes forecasts
capacity dispatch fleet drivers riders trips fares surge eta telemetry
firmware devices sensors alerts incidents oncall pager changelog releases
artifacts builds pipelines runners sandboxes previews snapshots backups
archives retention ingest enrichment classifier ranking relevance indexer
crawler scraper digest newsletter campaigns segments audiences attribution
""".split()

TEAM_SUFFIXES = ["core", "platform", "infra", "squad", "crew", "guild", "ops",
                 "eng", "web", "mobile", "data", "reliability", "experience",
                 "foundations", "tooling", "enablement"]
DEPARTMENT_WORDS = ["commerce", "platform", "data", "growth", "finance",
                    "logistics", "identity", "mobile", "security",
                    "infrastructure", "marketing", "customer"]
DOMAIN_WORDS = ["commerce", "identity", "data-platform", "infrastructure",
                "customer-experience", "finance", "logistics", "marketing",
                "developer-experience", "trust-and-safety"]
SYSTEM_SUFFIXES = ["platform", "core", "hub", "engine", "suite", "services",
                   "pipeline", "portal", "backbone", "mesh"]
FIRST_NAMES = """
ada alan alice amir ana anika arjun ben bianca carlos chen chloe daniel dara
david diego elena emma eric fatima felix freya gabriel grace hana hannah
hiro ibrahim ines isaac ivan jack james jana javier jin jonas jose julia kai
karin kenji lara leo lina lucas maya mei mia mohammed nadia nina noah olga
omar oscar paula pedro priya rafael ravi rosa ruth sami sara sofia sven
tariq tom uma victor wei yara yusuf zara zoe
""".split()
LAST_NAMES = """
abbott adler alvarez andersen bauer becker bianchi brooks castro chen cohen
costa dubois dumont eriksen evans fischer garcia gomez hansen hoffmann huang
ito jansen jensen kim klein kowalski kumar larsen laurent lee lopez martin
meyer moreau muller nakamura nguyen novak oconnor okafor olsen park patel
perez petrov quinn reyes richter rossi santos sato schmidt silva singh smith
suzuki tanaka torres vargas wagner walker wang weber wilson wolf yamamoto
young zhang ziegler
""".split()
TECH_TAGS = ["java", "kotlin", "go", "rust", "python", "typescript", "nodejs",
             "react", "grpc", "rest", "graphql", "kafka", "postgres", "mysql",
             "redis", "elasticsearch", "s3", "spark", "airflow", "terraform",
             "helm", "pci", "gdpr", "tier-1", "tier-2", "tier-3", "c++",
             "c#", "internal", "customer-facing", "batch", "streaming"]

TOPICS = [
    ("", "overview", "Overview"),
    ("guides", "getting-started", "Getting started"),
    ("guides", "local-development", "Local development"),
    ("guides", "configuration", "Configuration"),
    ("guides", "testing", "Testing"),
    ("guides", "feature-flags", "Feature flags"),
    ("guides", "migration-guide", "Migration guide"),
    ("guides", "integrations", "Integrations"),
    ("reference", "architecture", "Architecture"),
    ("reference", "api-reference", "API reference"),
    ("reference", "data-model", "Data model"),
    ("reference", "security", "Security"),
    ("reference", "access-control", "Access control"),
    ("reference", "glossary", "Glossary"),
    ("reference", "changelog", "Changelog"),
    ("operations", "deployment", "Deployment"),
    ("operations", "monitoring", "Monitoring"),
    ("operations", "alerts", "Alerts"),
    ("operations", "dashboards", "Dashboards"),
    ("operations", "runbook", "Runbook"),
    ("operations", "troubleshooting", "Troubleshooting"),
    ("operations", "on-call", "On-call"),
    ("operations", "slos", "SLOs"),
    ("operations", "capacity-planning", "Capacity planning"),
    ("operations", "disaster-recovery", "Disaster recovery"),
    ("operations", "release-process", "Release process"),
    ("operations", "logging", "Logging"),
    ("operations", "tracing", "Tracing"),
    ("operations", "performance", "Performance"),
    ("", "faq", "FAQ"),
]
SECTION_ORDER = ["", "guides", "reference", "operations", "notes"]
SECTION_TITLES = {"guides": "Guides", "reference": "Reference",
                  "operations": "Operations", "notes": "Notes"}

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def rng_for(seed: int, *parts: object) -> random.Random:
    """A generator seeded from a string: stable across runs and platforms."""
    return random.Random("/".join([str(seed)] + [str(p) for p in parts]))


def unique(items):
    return list(dict.fromkeys(items))


TABLE_SIZE = 1 << 16


def zipf_table(words: list[str], s: float = 1.0, q: float = 2.7) -> list[str]:
    """A list of exactly TABLE_SIZE entries in which each word appears about in
    proportion to the Zipf-Mandelbrot weight 1/(rank+q)^s (at least once), so
    that a uniform 16-bit index into it follows that distribution -- much
    faster than weighted choices."""
    weights = [1.0 / (rank + q) ** s for rank in range(1, len(words) + 1)]
    total = sum(weights)
    counts = [max(1, round(x / total * TABLE_SIZE)) for x in weights]
    counts[0] += TABLE_SIZE - sum(counts)          # the head word absorbs rounding
    assert counts[0] > 0
    table: list[str] = []
    for w, c in zip(words, counts):
        table.extend([w] * c)
    return table


def u16s(r: random.Random, n: int) -> array:
    """n uniform 16-bit integers from r, the same on every platform."""
    a = array("H", r.randbytes(2 * n))
    if sys.byteorder == "big":
        a.byteswap()
    return a


def title_case(words) -> str:
    s = " ".join(words)
    return s[:1].upper() + s[1:]


def camel(words) -> str:
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def pascal(word: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[-_ ]", word) if p)


# --------------------------------------------------------------------------
# Minimal YAML emitter (block style; JSON-quoted strings where needed)
# --------------------------------------------------------------------------

_PLAIN_OK = re.compile(r"[A-Za-z_./$(][A-Za-z0-9 _.,/()@+=$:-]*")
_NUMBER_LIKE = re.compile(r"[-+]?[0-9.][0-9_:.eExXoO+-]*")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def y_scalar(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    s = str(v)
    if (s and _PLAIN_OK.fullmatch(s) and not _NUMBER_LIKE.fullmatch(s)
            and s.lower() not in _RESERVED and ": " not in s
            and not s.endswith((":", " ")) and " #" not in s):
        return s
    return json.dumps(s, ensure_ascii=False)


def y_lines(v, indent: int = 0) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(v, dict):
        for k, val in v.items():
            key = y_scalar(k)
            if isinstance(val, (dict, list)) and val:
                out.append(f"{pad}{key}:")
                out.extend(y_lines(val, indent + 2 if isinstance(val, dict) else indent + 2))
            elif isinstance(val, (dict, list)):
                out.append(f"{pad}{key}: {'{}' if isinstance(val, dict) else '[]'}")
            else:
                out.append(f"{pad}{key}: {y_scalar(val)}")
    elif isinstance(v, list):
        for item in v:
            if isinstance(item, dict) and item:
                sub = y_lines(item, indent + 2)
                sub[0] = pad + "- " + sub[0][indent + 2:]
                out.extend(sub)
            elif isinstance(item, list) and item:
                out.append(f"{pad}-")
                out.extend(y_lines(item, indent + 2))
            elif isinstance(item, (dict, list)):
                out.append(f"{pad}- {'{}' if isinstance(item, dict) else '[]'}")
            else:
                out.append(f"{pad}- {y_scalar(item)}")
    else:
        out.append(pad + y_scalar(v))
    return out


def y_dump(v) -> str:
    return "\n".join(y_lines(v)) + "\n"


def y_dump_all(docs) -> str:
    return "---\n".join(y_dump(d) for d in docs)


# --------------------------------------------------------------------------
# Vocabulary and prose
# --------------------------------------------------------------------------


def pseudo_word(r: random.Random) -> str:
    syl = r.choice((1, 2, 2, 2, 2, 3))
    w = "".join(r.choice(ONSETS) + r.choice(VOWELS) + (r.choice(CODAS) if i == syl - 1 else "")
                for i in range(syl))
    return w + (r.choice(SUFFIXES) if syl < 3 else "")


class Vocabulary:
    def __init__(self, seed: int, size: int = VOCAB_SIZE):
        r = rng_for(seed, "vocabulary")
        func = unique(FUNCTION_WORDS)
        content = [w for w in unique(CONTENT_WORDS + SERVICE_WORDS) if w not in set(func)]
        taken = set(func) | set(content)
        pseudo: list[str] = []
        while len(func) + len(content) + len(pseudo) < size:
            w = pseudo_word(r)
            if w not in taken and 4 <= len(w) <= 11 and not any(b in w for b in BLOCKED):
                taken.add(w)
                pseudo.append(w)
        # Function words take the head of the distribution; real words and a
        # handful of invented ones share the middle; the long tail is invented.
        middle = content + pseudo[:150]
        r.shuffle(middle)
        self.words = func + middle + pseudo[150:]
        self.content = middle + pseudo[150:]
        self.table = zipf_table(self.words, s=1.07, q=2.7)
        self.content_table = zipf_table(self.content, s=1.07, q=5.0)

    def draw(self, r: random.Random, k: int) -> list[str]:
        return list(map(self.table.__getitem__, u16s(r, k)))

    def draw_content(self, r: random.Random, k: int) -> list[str]:
        return list(map(self.content_table.__getitem__, u16s(r, k)))


class Page:
    """Builds one Markdown page, counting the prose words written."""

    def __init__(self, vocab: Vocabulary, r: random.Random, terms: list[str], links: list[str]):
        self.v = vocab
        self.r = r
        self.terms = terms          # repository-specific terms to sprinkle in
        self.links = list(links)    # Markdown links to sibling pages, used inline once each
        self.words = 0

    # -- inline text -------------------------------------------------------
    def sentence(self, lo: int = 6, hi: int = 20) -> str:
        # Hot path: a handful of random() calls per sentence, no helpers.
        rnd = self.r.random
        n = lo + int(rnd() * (hi - lo + 1))
        ws = list(map(self.v.table.__getitem__, u16s(self.r, n)))
        self.words += n
        x, y, z = rnd(), rnd(), rnd()
        i = int(y * n)
        terms = self.terms
        if x < 0.10 and terms:
            ws[i] = f"`{terms[int(x * 10 * len(terms))]}`"
        elif x < 0.18 and terms:
            ws[i] = terms[int((x - 0.10) / 0.08 * len(terms))]
        elif x < 0.22:
            ws[i] = f"**{ws[i]}**"
        elif x < 0.25:
            ws[i] = f"*{ws[i]}*"
        elif x < 0.30 and self.links:
            ws.insert(i, self.links.pop())
        if n > 9 and z < 0.4:
            j = 3 + int(z / 0.4 * (n - 6))
            ws[j] += ","
        ws[0] = ws[0][:1].upper() + ws[0][1:]
        return " ".join(ws) + ("?" if z > 0.96 else ".")

    def paragraph(self, lo: int = 2, hi: int = 6) -> str:
        return " ".join(self.sentence() for _ in range(self.r.randint(lo, hi)))

    def heading_text(self, lo: int = 2, hi: int = 5) -> str:
        ws = self.v.draw_content(self.r, self.r.randint(lo, hi))
        self.words += len(ws)
        return title_case(ws)

    # -- blocks ------------------------------------------------------------
    def code_block(self, lang: str, ident: str, ns: str, host: str) -> str:
        r = self.r
        cw = self.v.draw_content(r, 12)
        if lang == "bash":
            cmds = [
                f"kubectl -n {ns} get pods -l backstage.io/kubernetes-id={ident}",
                f"kubectl -n {ns} rollout status deployment/{ident} --timeout=5m",
                f"kubectl -n {ns} logs deploy/{ident} --since=15m | grep -i {cw[0]}",
                f"curl -sS https://{host}/v1/{cw[1]}s?limit={r.choice((10, 50, 100))} | jq '.items[].{cw[2]}'",
                f"make {cw[3]}",
                f"./scripts/{cw[4]}-{cw[5]}.sh --env {r.choice(('dev', 'staging', 'production'))}",
                f"helm upgrade --install {ident} charts/{ident} -f values-{r.choice(('dev', 'staging', 'prod'))}.yaml",
                f"export {cw[6].upper()}_{cw[7].upper()}={r.randint(1, 500)}",
                f"git checkout -b {cw[8]}/{cw[9]}-{r.randint(100, 9999)}",
                f"psql \"$DATABASE_URL\" -c 'select count(*) from {cw[10]}_{cw[11]};'",
            ]
            body = "\n".join(r.sample(cmds, r.randint(2, 5)))
        elif lang == "yaml":
            lines = [f"{ident}:", f"  replicas: {r.randint(1, 12)}", f"  {cw[0]}:",
                     f"    enabled: {r.choice(('true', 'false'))}",
                     f"    timeout: {r.choice((5, 10, 30, 60, 120))}s",
                     f"    {cw[1]}: {cw[2]}"]
            if r.random() < 0.6:
                lines += [f"  {cw[3]}:", f"    - name: {cw[4]}", f"      value: \"{cw[5]}-{r.randint(1, 99)}\"",
                          f"    - name: {cw[6]}", f"      value: \"{r.randint(1, 10000)}\""]
            lines += [f"  resources:", f"    requests:", f"      cpu: {r.choice(('100m', '250m', '500m', '1'))}",
                      f"      memory: {r.choice(('128Mi', '256Mi', '512Mi', '1Gi', '2Gi'))}"]
            body = "\n".join(lines)
        else:
            obj = {"id": f"{cw[0][:3]}_{r.randrange(16 ** 8):08x}", cw[1]: cw[2],
                   "status": r.choice(("active", "pending", "failed", "settled")),
                   cw[3]: r.randint(0, 100000), "createdAt": f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00Z",
                   cw[4]: {cw[5]: r.random() < 0.5, cw[6]: [cw[7], cw[8]]}}
            body = json.dumps(obj, indent=2)
        return f"```{lang}\n{body}\n```"

    def table(self) -> str:
        r = self.r
        kind = r.randrange(3)
        if kind == 0:
            head = "| Setting | Default | Description |\n| --- | --- | --- |"
        elif kind == 1:
            head = "| Metric | Threshold | Action |\n| --- | ---: | --- |"
        else:
            head = "| Environment | Endpoint | Notes |\n| --- | --- | --- |"
        rows = []
        for _ in range(r.randint(3, 7)):
            cw = self.v.draw_content(r, 3)
            self.words += 2
            if kind == 0:
                a, b = f"`{cw[0]}.{cw[1]}`", f"`{r.choice(('true', 'false', '30s', '5', '100', 'none', cw[2]))}`"
            elif kind == 1:
                a, b = f"{cw[0]}_{cw[1]}", f"{r.randint(1, 999)}{r.choice(('ms', '%', '/s', ''))}"
            else:
                env = r.choice(("dev", "staging", "production", "sandbox", "eu-west", "us-east"))
                a, b = env, f"`https://{cw[0]}.{env}.{EMAIL_DOMAIN}`"
            rows.append(f"| {a} | {b} | {self.sentence(3, 10)} |")
        return head + "\n" + "\n".join(rows)

    def admonition(self, kind: str = "note") -> str:
        title = self.heading_text(2, 4)
        body = self.paragraph(1, 3)
        return f'!!! {kind} "{title}"\n    {body}'

    def bullets(self, numbered: bool = False) -> str:
        r = self.r
        out = []
        for i in range(r.randint(3, 6)):
            mark = f"{i + 1}." if numbered else "-"
            out.append(f"{mark} {self.sentence(4, 14)}")
            if not numbered and r.random() < 0.15:
                for _ in range(r.randint(2, 3)):
                    out.append(f"    - {self.sentence(3, 8)}")
        return "\n".join(out)


def docs_layout(r: random.Random, pages: int) -> list[tuple[str, str]]:
    """(path relative to docs/, title) for every page; index.md first."""
    out = [("index.md", "")]
    rest = pages - 1
    if pages <= 0:
        return []
    if rest == 0:
        return out
    chosen = r.sample(TOPICS, min(rest, len(TOPICS)))
    for i in range(rest - len(chosen)):
        chosen.append(("notes", f"note-{i + 1:03d}", ""))
    chosen.sort(key=lambda t: (SECTION_ORDER.index(t[0]), TOPICS.index(t) if t in TOPICS else 10 ** 6 + int(t[1][5:])))
    for section, slug, title in chosen:
        out.append((posixpath.join(section, slug + ".md") if section else slug + ".md", title))
    return out


# --------------------------------------------------------------------------
# The organisation plan
# --------------------------------------------------------------------------


class Plan:
    def __init__(self, repos: int, seed: int):
        self.seed = seed
        r = rng_for(seed, "plan")

        # Groups: one organisation root, a few departments, teams beneath them.
        n_groups = max(4, round(repos / 10))
        n_depts = max(1, min(len(DEPARTMENT_WORDS), round(n_groups / 12)))
        n_teams = max(2, n_groups - 1 - n_depts)
        self.departments = [f"{w}-engineering" for w in r.sample(DEPARTMENT_WORDS, n_depts)]
        combos = [f"{w}-{s}" for w in SERVICE_WORDS for s in TEAM_SUFFIXES]
        r.shuffle(combos)
        teams = combos[:n_teams]
        self.teams = teams
        self.team_dept = {t: self.departments[i % n_depts] for i, t in enumerate(teams)}

        # Users: first.last, memberOf one team (some two; department leads).
        n_users = max(4, round(repos / 2))
        self.users: list[str] = []
        self.user_groups: dict[str, list[str]] = {}
        seen: set[str] = set()
        while len(self.users) < n_users:
            base = f"{r.choice(FIRST_NAMES)}.{r.choice(LAST_NAMES)}"
            name, k = base, 2
            while name in seen:
                name, k = f"{base}{k}", k + 1
            seen.add(name)
            self.users.append(name)
        for i, u in enumerate(self.users):
            if i < len(self.departments):
                groups = [self.departments[i]]                  # department lead
            else:
                groups = [teams[(i - len(self.departments)) % n_teams] if i - len(self.departments) < n_teams
                          else r.choice(teams)]
                if r.random() < 0.15:
                    other = r.choice(teams)
                    if other not in groups:
                        groups.append(other)
            self.user_groups[u] = groups
        self.group_members: dict[str, list[str]] = {g: [] for g in [ORG] + self.departments + teams}
        for u in self.users:
            for g in self.user_groups[u]:
                self.group_members[g].append(u)

        # Domains and systems.
        n_domains = min(5, len(DOMAIN_WORDS))
        self.domains = r.sample(DOMAIN_WORDS, n_domains)
        self.domain_owner = {d: self.departments[i % n_depts] for i, d in enumerate(self.domains)}
        n_systems = max(2, round(repos / 20))
        sys_combos = [f"{w}-{s}" for w in SERVICE_WORDS for s in SYSTEM_SUFFIXES]
        r.shuffle(sys_combos)
        self.systems = sys_combos[:n_systems]
        self.system_owner = {s: r.choice(teams) for s in self.systems}
        self.system_domain = {s: self.domains[i % n_domains] for i, s in enumerate(self.systems)}

        # Repositories and the entities in them.
        width = max(4, len(str(repos)))
        self.repos: list[dict] = []
        for i in range(1, repos + 1):
            word = r.choice(SERVICE_WORDS)
            name = f"svc-{i:0{width}d}-{word}"
            ctype = r.choices(("service", "website", "library"), weights=(70, 15, 15))[0]
            system = r.choice(self.systems)
            owner = self.system_owner[system] if r.random() < 0.7 else r.choice(teams)
            has_api = ctype != "library" and r.random() < 0.75
            resource = None
            if ctype == "service" and r.random() < 0.35:
                resource = r.choice(("database", "queue"))
            self.repos.append({
                "name": name, "word": word, "type": ctype, "system": system, "owner": owner,
                "lifecycle": r.choices(("production", "experimental", "deprecated"), weights=(70, 20, 10))[0],
                "api": f"{name}-api" if has_api else None,
                "resource": (f"{name}-{'db' if resource == 'database' else 'queue'}", resource) if resource else None,
            })
        apis = [x["api"] for x in self.repos if x["api"]]
        resources = [x["resource"][0] for x in self.repos if x["resource"]]
        names = [x["name"] for x in self.repos]
        for x in self.repos:
            others = [a for a in r.sample(apis, min(len(apis), 4)) if a != x["api"]]
            x["consumes"] = others[:r.randint(0, min(3, len(others)))]
            deps: list[str] = []
            if x["resource"]:
                deps.append(f"resource:{x['resource'][0]}")
            for _ in range(r.randint(0, 2)):
                target = r.choice(names)
                if target != x["name"]:
                    ns = "default/" if r.random() < 0.1 else ""
                    deps.append(f"component:{ns}{target}")
            if resources and r.random() < 0.2:
                deps.append(f"resource:{r.choice(resources)}")
            x["depends"] = unique(deps)


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------


class Writer:
    def __init__(self, root: Path):
        self.root = root
        self.files = 0
        self.bytes = 0

    def write(self, rel: str, text: str) -> None:
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        with open(p, "wb") as f:
            f.write(data)
        self.files += 1
        self.bytes += len(data)


def describe(vocab: Vocabulary, r: random.Random, lead: str) -> str:
    ws = vocab.draw(r, r.randint(6, 16))
    return f"{lead} {' '.join(ws)}."


def entity(kind: str, name: str, spec: dict, **meta) -> dict:
    md = {"name": name}
    md.update({k: v for k, v in meta.items() if v not in (None, [], {})})
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": md, "spec": spec}


# Playbill's default `limits.max_documents_per_file`: larger lists are split over several
# files (users.yaml, users-2.yaml, ...), as a directory sync would write them.
DOCS_PER_FILE = 1000


def write_split(w: Writer, stem: str, docs: list[dict]) -> list[str]:
    """Writes `docs` as org/<stem>.yaml, then <stem>-2.yaml, ...; gives the Location's targets."""
    targets = []
    for n, start in enumerate(range(0, max(len(docs), 1), DOCS_PER_FILE), 1):
        name = f"{stem}.yaml" if n == 1 else f"{stem}-{n}.yaml"
        w.write(f"org/{name}", y_dump_all(docs[start:start + DOCS_PER_FILE]))
        targets.append(f"./{name}")
    return targets


def write_org(w: Writer, plan: Plan, vocab: Vocabulary, seed: int, counts: dict) -> None:
    r = rng_for(seed, "org")
    targets = []

    groups = [entity("Group", ORG, {
        "type": "organization",
        "profile": {"displayName": "Synthetic Org", "email": f"everyone@{EMAIL_DOMAIN}"},
        "children": list(plan.departments),
    }, title="Synthetic Org", description="The whole organisation.")]
    for d in plan.departments:
        kids = [t for t in plan.teams if plan.team_dept[t] == d]
        groups.append(entity("Group", d, {
            "type": "department",
            "parent": ORG,
            "profile": {"displayName": plan_display(d), "email": f"{d}@{EMAIL_DOMAIN}"},
            "children": kids,
            "members": plan.group_members[d],
        }, description=describe(vocab, r, f"The {plan_display(d)} department:")))
    for t in plan.teams:
        groups.append(entity("Group", t, {
            "type": "team",
            "parent": plan.team_dept[t],
            "profile": {"displayName": plan_display(t), "email": f"{t}@{EMAIL_DOMAIN}"},
            "children": [],
            "members": plan.group_members[t],
        }, description=describe(vocab, r, f"The {plan_display(t)} team"),
            links=[{"url": f"https://chat.{EMAIL_DOMAIN}/channels/{t}", "title": "Team channel", "icon": "chat"}]))
    targets += write_split(w, "groups", groups)
    counts["Group"] += len(groups)

    users = []
    for u in plan.users:
        first, last = u.split(".", 1)
        last = last.rstrip("0123456789")
        profile = {"displayName": f"{first.title()} {last.title()}", "email": f"{u}@{EMAIL_DOMAIN}"}
        if r.random() < 0.5:
            profile["picture"] = f"https://avatars.{EMAIL_DOMAIN}/{u}.png"
        users.append(entity("User", u, {"profile": profile, "memberOf": plan.user_groups[u]}))
    targets += write_split(w, "users", users)
    counts["User"] += len(users)

    docs = []
    for d in plan.domains:
        docs.append(entity("Domain", d, {"owner": f"group:{plan.domain_owner[d]}"},
                           title=plan_display(d), description=describe(vocab, r, f"Everything about {d.replace('-', ' ')}:")))
    for s in plan.systems:
        docs.append(entity("System", s, {"owner": plan.system_owner[s], "domain": plan.system_domain[s]},
                           description=describe(vocab, r, f"The {plan_display(s)} system"),
                           tags=sorted(set(r.sample(TECH_TAGS, r.randint(0, 2))))))
    targets += write_split(w, "systems", docs)
    counts["Domain"] += len(plan.domains)
    counts["System"] += len(plan.systems)

    loc = entity("Location", ORG, {"type": "file", "targets": targets},
                 description="People, teams, systems and domains of the synthetic organisation.")
    w.write("org/catalog-info.yaml", y_dump(loc))
    counts["Location"] += 1


def openapi_doc(vocab: Vocabulary, r: random.Random, repo: dict) -> dict:
    nouns = unique([repo["word"]] + vocab.draw_content(r, 40))
    n_paths = r.randint(5, 20)
    paths: dict[str, dict] = {}
    schemas: dict[str, dict] = {}
    i = 0
    while len(paths) < n_paths and i < len(nouns):
        noun = nouns[i]
        i += 1
        schema = pascal(noun)
        props = {"id": {"type": "string"}}
        for f in unique(vocab.draw_content(r, r.randint(2, 6))):
            props[camel([f])] = {"type": r.choice(("string", "integer", "boolean", "number"))}
        props["createdAt"] = {"type": "string", "format": "date-time"}
        schemas[schema] = {"type": "object", "required": ["id"], "properties": props,
                           "description": describe(vocab, r, f"A {noun}")}
        ref = {"$ref": f"#/components/schemas/{schema}"}
        ok = {"description": "OK", "content": {"application/json": {"schema": ref}}}
        listing = {"description": "OK", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"items": {"type": "array", "items": ref}, "next": {"type": "string"}}}}}}
        coll = f"/{noun}s"
        item = f"/{noun}s/{{{camel([noun, 'id'])}}}"
        pid = [{"name": camel([noun, "id"]), "in": "path", "required": True, "schema": {"type": "string"}}]
        paths[coll] = {
            "get": {"summary": f"List {noun}s", "operationId": camel(["list", pascal(noun) + "s"]), "tags": [noun],
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 500}},
                                   {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": listing, "401": {"description": "Unauthorised"}}},
        }
        if r.random() < 0.6:
            paths[coll]["post"] = {"summary": f"Create a {noun}", "operationId": camel(["create", pascal(noun)]),
                                   "tags": [noun], "requestBody": {"required": True, "content": {"application/json": {"schema": ref}}},
                                   "responses": {"201": ok, "400": {"description": "Invalid request"}}}
        if len(paths) < n_paths:
            paths[item] = {"get": {"summary": f"Get a {noun}", "operationId": camel(["get", pascal(noun)]), "tags": [noun],
                                   "parameters": pid, "responses": {"200": ok, "404": {"description": "Not found"}}}}
            if r.random() < 0.4:
                paths[item]["delete"] = {"summary": f"Delete a {noun}", "operationId": camel(["delete", pascal(noun)]),
                                         "tags": [noun], "parameters": pid, "responses": {"204": {"description": "Deleted"}}}
    title = f"{plan_display(repo['word'])} API"
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": f"{r.randint(0, 4)}.{r.randint(0, 20)}.{r.randint(0, 9)}",
                 "description": describe(vocab, r, f"The {repo['word']} API")},
        "servers": [{"url": f"https://{repo['name']}.api.{EMAIL_DOMAIN}/v1"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


def plan_display(slug: str) -> str:
    return " ".join(p[:1].upper() + p[1:] for p in slug.split("-"))


def write_repo_catalog(w: Writer, plan: Plan, vocab: Vocabulary, seed: int, repo: dict, counts: dict) -> None:
    r = rng_for(seed, repo["name"], "catalog")
    name = repo["name"]
    docs = []
    annotations = {
        "backstage.io/kubernetes-id": name,
        "backstage.io/techdocs-ref": "dir:.",
        "github.com/project-slug": f"{GITHUB_OWNER}/{name}",
    }
    if r.random() < 0.3:
        annotations["backstage.io/kubernetes-namespace"] = repo["system"]
    links = [{"url": f"https://github.com/{GITHUB_OWNER}/{name}", "title": "Repository", "icon": "github"}]
    if r.random() < 0.7:
        links.append({"url": f"https://grafana.{EMAIL_DOMAIN}/d/{name}", "title": "Dashboard", "icon": "dashboard"})
    if r.random() < 0.4:
        links.append({"url": f"https://runbooks.{EMAIL_DOMAIN}/{name}", "title": "Runbook", "type": "runbook"})
    spec = {"type": repo["type"], "lifecycle": repo["lifecycle"], "owner": repo["owner"], "system": repo["system"]}
    if repo["api"]:
        spec["providesApis"] = [repo["api"]]
    if repo["consumes"]:
        spec["consumesApis"] = repo["consumes"]
    if repo["depends"]:
        spec["dependsOn"] = repo["depends"]
    docs.append(entity("Component", name, spec,
                       title=f"{plan_display(repo['word'])} {repo['type']}",
                       description=describe(vocab, r, f"The {repo['word']} {repo['type']}"),
                       labels={"tier": f"tier-{r.randint(1, 3)}"},
                       annotations=annotations,
                       tags=sorted(set(r.sample(TECH_TAGS, r.randint(1, 4)))),
                       links=links))
    counts["Component"] += 1
    if repo["api"]:
        docs.append(entity("API", repo["api"], {
            "type": "openapi", "lifecycle": repo["lifecycle"], "owner": repo["owner"], "system": repo["system"],
            "definition": {"$text": "./openapi.yaml"},
        }, description=describe(vocab, r, f"HTTP API of {name}"), tags=["rest"]))
        w.write(f"{name}/openapi.yaml", y_dump(openapi_doc(vocab, rng_for(seed, name, "openapi"), repo)))
        counts["API"] += 1
    if repo["resource"]:
        rname, rtype = repo["resource"]
        docs.append(entity("Resource", rname, {"type": rtype, "owner": repo["owner"], "system": repo["system"]},
                           description=describe(vocab, r, f"The {rtype} behind {name}")))
        counts["Resource"] += 1
    w.write(f"{name}/catalog-info.yaml", y_dump_all(docs))


def write_repo_docs(w: Writer, plan: Plan, vocab: Vocabulary, seed: int, repo: dict, pages: int) -> int:
    name = repo["name"]
    r = rng_for(seed, name, "docs")
    layout = docs_layout(r, pages)
    if not layout:
        return 0
    titles = {path: (t or (plan_display(repo["word"]) + " documentation" if path == "index.md" else ""))
              for path, t in layout}
    # Notes pages get generated titles.
    for path in titles:
        if not titles[path]:
            pr = rng_for(seed, name, "title", path)
            titles[path] = title_case(vocab.draw_content(pr, pr.randint(2, 4)))

    terms = [name, repo["word"], repo["owner"], repo["system"]]
    terms += [d.split(":", 1)[1].split("/")[-1] for d in repo["depends"]]
    terms += repo["consumes"] + ([repo["api"]] if repo["api"] else [])
    ns = repo["system"]
    host = f"{name}.internal.{EMAIL_DOMAIN}"

    for path, _ in layout:
        pr = rng_for(seed, name, "page", path)
        others = [p for p, _ in layout if p != path]
        here = posixpath.dirname(path) or "."
        picked = pr.sample(others, min(len(others), pr.randint(2, 5)))
        rel = {p: posixpath.relpath(p, here) for p in picked}
        inline = [f"[{titles[p]}]({rel[p]})" for p in picked[:2]]
        page = Page(vocab, pr, terms, inline)
        target = pr.randint(300, 1500)
        out: list[str] = []
        if pr.random() < 0.1:
            out.append(f"---\ntitle: {y_scalar(titles[path])}\ndescription: {y_scalar(page.sentence(5, 12))}\n---\n")
            out.append(f"# {titles[path]}" if pr.random() < 0.5 else "")
        else:
            out.append(f"# {titles[path]}")
        out.append(page.paragraph(2, 4))

        n_sections = max(2, target // 250)
        blocks: list[list[str]] = [[] for _ in range(n_sections)]
        required = ["code", "table", "admonition", "list"]
        optional = ["code", "numbered", "sub", "sub", "list", "admonition-other", "quote", "para"]
        for b in required + pr.choices(optional, k=pr.randint(1, n_sections + 1)):
            blocks[pr.randrange(n_sections)].append(b)

        sections: list[list[str]] = []
        for sec in blocks:
            body = [f"## {page.heading_text()}", page.paragraph()]
            for b in sec:
                if b == "code":
                    lang = pr.choice(("bash", "bash", "yaml", "json"))
                    body.append(page.paragraph(1, 2))
                    body.append(page.code_block(lang, name, ns, host))
                elif b == "table":
                    body.append(page.table())
                elif b == "admonition":
                    body.append(page.admonition("note"))
                elif b == "admonition-other":
                    body.append(page.admonition(pr.choice(("tip", "warning", "info", "danger"))))
                elif b == "list":
                    body.append(page.bullets())
                elif b == "numbered":
                    body.append(page.bullets(numbered=True))
                elif b == "sub":
                    body.append(f"### {page.heading_text()}")
                    body.append(page.paragraph())
                elif b == "quote":
                    body.append("> " + page.paragraph(1, 2))
                else:
                    body.append(page.paragraph())
            sections.append(body)
        while page.words < target:
            sec = sections[pr.randrange(len(sections))]
            left = max(1, min(6, (target - page.words) // 13))
            sec.insert(pr.randint(2, len(sec)), page.paragraph(min(2, left), left))
        for sec in sections:
            out.append("\n\n".join(sec))
        related = [f"- [{titles[p]}]({rel[p]})" for p in picked[2:]] + page.links
        if related:
            out.append("## Related pages\n\n" + "\n".join(
                x if x.startswith("- ") else f"- {x}" for x in related))
        w.write(f"{name}/docs/{path}", "\n\n".join(x for x in out if x) + "\n")

    # mkdocs.yml with a nav grouped by section.
    nav: list = []
    by_section: dict[str, list] = {}
    for path, _ in layout:
        sec = posixpath.dirname(path)
        entry = {("Home" if path == "index.md" else titles[path]): path}
        if sec:
            by_section.setdefault(sec, []).append(entry)
        else:
            nav.append(entry)
    for sec in SECTION_ORDER:
        if sec in by_section:
            nav.append({SECTION_TITLES[sec]: by_section[sec]})
    mk = {
        "site_name": f"{plan_display(repo['word'])} ({name})",
        "site_description": describe(vocab, r, f"Documentation for {name}"),
        "repo_url": f"https://github.com/{GITHUB_OWNER}/{name}",
        "edit_uri": "edit/main/docs/",
        "nav": nav,
        "plugins": ["techdocs-core"],
    }
    w.write(f"{name}/mkdocs.yml", y_dump(mk))
    return len(layout)


SITE_TOML = """title = "Synthetic Org"
out_dir = "public"

[[sources]]
type = "local"
path = "."
"""


KINDS = ("Location", "Domain", "System", "Group", "User", "Component", "API", "Resource")
_WORKER: dict = {}


def _init_worker(out: str, repos: int, seed: int, docs_pages: int) -> None:
    _WORKER.update(out=Path(out), plan=Plan(repos, seed), vocab=Vocabulary(seed),
                   seed=seed, docs_pages=docs_pages)


def _write_repos(indices: list[int]) -> tuple[dict, int, int, int]:
    """Write the given service repositories; each file has its own seeded
    generator, so the order and the process that writes it do not matter."""
    g = _WORKER
    w = Writer(g["out"])
    counts = dict.fromkeys(KINDS, 0)
    pages = 0
    for i in indices:
        repo = g["plan"].repos[i]
        write_repo_catalog(w, g["plan"], g["vocab"], g["seed"], repo, counts)
        pages += write_repo_docs(w, g["plan"], g["vocab"], g["seed"], repo, g["docs_pages"])
    return counts, pages, w.files, w.bytes


def generate(out: Path, repos: int, seed: int, docs_pages: int, jobs: int = 1) -> dict:
    _init_worker(str(out), repos, seed, docs_pages)
    w = Writer(out)
    counts = dict.fromkeys(KINDS, 0)
    write_org(w, _WORKER["plan"], _WORKER["vocab"], seed, counts)
    w.write("site.toml", SITE_TOML)
    chunks = [list(range(i, min(i + 10, repos))) for i in range(0, repos, 10)]
    if jobs > 1 and len(chunks) > 1:
        import multiprocessing
        with multiprocessing.Pool(jobs, _init_worker, (str(out), repos, seed, docs_pages)) as pool:
            results = pool.map(_write_repos, chunks, chunksize=1)
    else:
        results = [_write_repos(c) for c in chunks]
    pages, files, nbytes = 0, w.files, w.bytes
    for c, p, f, b in results:
        for k in KINDS:
            counts[k] += c[k]
        pages += p
        files += f
        nbytes += b
    summary = {
        "generator_version": GENERATOR_VERSION,
        "repos": repos, "seed": seed, "docs_pages_per_repo": docs_pages,
        "repositories_written": repos + 1,
        "entities": counts, "entities_total": sum(counts.values()),
        "docs_pages": pages, "files": files, "bytes": nbytes,
    }
    # Parameters and totals (of everything but this file), so that a harness
    # can tell whether a kept tree was generated with the same arguments.
    w.write(STAMP_FILE, json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Generate a deterministic synthetic organisation "
                                             "(Backstage catalog files + TechDocs sources) for Playbill benchmarks.")
    ap.add_argument("--repos", type=int, required=True, help="number of service repositories")
    ap.add_argument("--out", required=True, type=Path, help="output directory (must be empty or absent)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--docs-pages", type=int, default=20, help="Markdown pages per repository (default 20)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="worker processes (default: CPU count); the output does not depend on it")
    ap.add_argument("--force", action="store_true",
                    help="replace OUT if it holds an earlier generated tree (has site.toml and %s)" % STAMP_FILE)
    a = ap.parse_args(argv)
    if a.repos < 1:
        ap.error("--repos must be at least 1")
    if a.docs_pages < 0:
        ap.error("--docs-pages must not be negative")
    out: Path = a.out
    if out.exists() and any(out.iterdir()):
        if not a.force:
            ap.error(f"{out} exists and is not empty (use --force to replace an earlier generated tree)")
        if not ((out / "site.toml").is_file() and (out / STAMP_FILE).is_file()):
            ap.error(f"refusing to replace {out}: it does not look like a generated tree")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    s = generate(out, a.repos, a.seed, a.docs_pages, max(1, a.jobs))
    dt = time.perf_counter() - t0
    kinds = ", ".join(f"{k} {v}" for k, v in s["entities"].items())
    print(f"synth_org: {s['repos']} service repos (+ org), entities {s['entities_total']} ({kinds}), "
          f"{s['docs_pages']} docs pages, {s['files']} files, {s['bytes']:,} bytes "
          f"({s['bytes'] / 1e6:.1f} MB) in {dt:.1f}s -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
