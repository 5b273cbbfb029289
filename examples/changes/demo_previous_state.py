#!/usr/bin/env python3
"""Writes demo-previous-state.json: the change-feed state the demo site.toml compares with, so
the demo's "What changed" page has a history and its sparklines have points. Five builds of the
demo organisation at fixed times (SOURCE_DATE_EPOCH), each compared with the one before:

  80 days ago  as a week ago, but payments-ledger has no description and depends on a
               component that does not exist, and settlement has no docs (lower scores, more
               problems; the change feed lists only settlement's docs arriving 40 days ago)
  40 days ago  as a week ago, but payments-ledger still names the missing dependency
  a week ago   a variant without merchant-webhooks and onboarding-web, with a since-retired
               legacy-reports service, payouts owned by team-ledger and older images
  four days    merchant-webhooks onboarded, legacy-reports removed, payouts moves to
               team-payments, payments-ledger and card-tokenizer roll out new versions
  last         the demo as it is: onboarding-web onboarded, fraud-scorer goes experimental,
               fx-quotes rolls out, payments-ledger is OOM-killed in prod-us and its runbook
               is updated

The last build's state describes the demo as it is, so building the demo against it finds no
new changes and stays byte-identical from build to build. Rerun after changing the demo
catalog or snapshot:  python3 examples/changes/demo_previous_state.py [path/to/playbill]
"""
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
ORG = REPO / "examples" / "demo-org"
SNAPSHOT = REPO / "examples" / "kubernetes" / "demo-snapshot.json"
# The demo's CI results, so the scores recorded are the ones the demo build computes.
HEALTH = REPO / "examples" / "github" / "demo-health.json"
EIGHTY_DAYS_AGO = 1788508800  # 2026-09-04 08:00 UTC
FORTY_DAYS_AGO = 1791964800  # 2026-10-14 08:00 UTC
WEEK_AGO = 1794816000  # 2026-11-16 08:00 UTC
FOUR_DAYS_AGO = 1795099500  # 2026-11-19 14:45 UTC
LAST = 1795425300  # 2026-11-23 09:15 UTC

LEGACY_REPORTS = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: legacy-reports
  title: Legacy reports
  description: Nightly CSV reports for finance, replaced by reporting-tools.
spec:
  type: service
  lifecycle: deprecated
  owner: team-ledger
  system: payments
"""


def edit(path, old, new):
    text = path.read_text()
    if old not in text:
        sys.exit(f"{path}: `{old}` not found; update {__file__}")
    path.write_text(text.replace(old, new, 1))


def retag(snapshot, entity, old, new, clusters=None):
    for cluster, res in snapshot["entities"][f"component:default/{entity}"]["clusters"].items():
        if clusters and cluster not in clusters:
            continue
        for w in res["workloads"]:
            w["images"] = [i.replace(f":{old}", f":{new}") for i in w["images"]]


def calm(snapshot, entity, cluster):
    snapshot["entities"][f"component:default/{entity}"]["clusters"][cluster]["problems"] = []


def neglect(org, step):
    """The scorecard and problem history before a week ago (step -2: 80 days, -1: 40 days)."""
    ledger = org / "payments-ledger" / "catalog-info.yaml"
    edit(ledger, "    - resource:default/ledger-db\n", "    - resource:default/ledger-db\n    - component:default/ledger-cache\n")
    if step == -2:
        edit(ledger, "  description: The double-entry ledger", "  x-description: The double-entry ledger")
        (org / "settlement" / "mkdocs.yml").unlink()
        shutil.rmtree(org / "settlement" / "docs")


def variant(work, name, step):
    """A copy of the demo org and snapshot as they were at `step` (0: a week ago, 1: four days;
    -2 and -1: as 0, neglected)."""
    org = work / name / "org"
    shutil.copytree(ORG, org)
    snapshot = json.loads(SNAPSHOT.read_text())
    shutil.rmtree(org / "onboarding-web")
    edit(org / "fraud-scorer" / "catalog-info.yaml", "lifecycle: experimental", "lifecycle: development")
    retag(snapshot, "fx-quotes", "4.2.4", "4.2.1")
    calm(snapshot, "payments-ledger", "prod-us")
    edit(org / "payments-ledger" / "docs" / "runbook.md", "primary, SRE secondary.", "primary.")
    if step <= 0:
        shutil.rmtree(org / "merchant-webhooks")
        (org / "legacy-reports").mkdir()
        (org / "legacy-reports" / "catalog-info.yaml").write_text(LEGACY_REPORTS)
        edit(org / "payouts" / "catalog-info.yaml", "owner: team-payments", "owner: team-ledger")
        tag = next(
            w["images"][0].rsplit(":", 1)[1]
            for w in snapshot["entities"]["component:default/payments-ledger"]["clusters"]["prod-eu"]["workloads"]
        )
        retag(snapshot, "payments-ledger", tag, "2.9.8", ["prod-eu", "prod-us"])
        retag(snapshot, "card-tokenizer", "4.2.1", "4.1.8")
    if step < 0:
        neglect(org, step)
    snap = work / name / "snapshot.json"
    snap.write_text(json.dumps(snapshot))
    return org, snap


def build(binary, work, name, org, snapshot, at, previous=None):
    (work / name).mkdir(exist_ok=True)
    site = work / name / "site.toml"
    site.write_text(
        f'title = "Kloudvin Developer Portal"\n[[sources]]\ntype = "local"\npath = "{org}"\n'
        f'health_file = "{HEALTH}"\n[kubernetes]\nsnapshot = "{snapshot}"\n'
    )
    out = work / name / "public"
    args = [binary, "build", "--config", str(site), "--out", str(out), "--no-webhooks"]
    args += ["--report", str(work / name / "report.json")]
    if previous:
        args += ["--previous-state", str(previous)]
    subprocess.run(args, check=True, env={"SOURCE_DATE_EPOCH": str(at), "PATH": "/usr/bin:/bin"})
    return out / "changes" / "state.json"


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(REPO / "target" / "release" / "playbill")
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        org, snap = variant(work, "n2", -2)
        state = build(binary, work, "n2", org, snap, EIGHTY_DAYS_AGO)
        org, snap = variant(work, "n1", -1)
        state = build(binary, work, "n1", org, snap, FORTY_DAYS_AGO, state)
        org, snap = variant(work, "a", 0)
        state = build(binary, work, "a", org, snap, WEEK_AGO, state)
        org, snap = variant(work, "b", 1)
        state = build(binary, work, "b", org, snap, FOUR_DAYS_AGO, state)
        state = build(binary, work, "c", ORG, SNAPSHOT, LAST, state)
        shutil.copy(state, HERE / "demo-previous-state.json")
    print(f"wrote {HERE / 'demo-previous-state.json'}")


if __name__ == "__main__":
    main()
