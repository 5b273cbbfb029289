#!/usr/bin/env python3
"""Writes demo-previous-state.json: the change-feed state the demo site.toml compares with, so
the demo's "What changed" page has a history. Three builds of the demo organisation at fixed
times (SOURCE_DATE_EPOCH), each compared with the one before:

  a week ago   a variant without merchant-webhooks and onboarding-web, with a since-retired
               legacy-reports service, payouts owned by team-ledger and older images
  four days    merchant-webhooks onboarded, legacy-reports removed, payouts moves to
               team-payments, payments-ledger and card-tokenizer roll out new versions
  last         the demo as it is: onboarding-web onboarded, fraud-scorer goes experimental,
               fx-quotes rolls out, payments-ledger is OOM-killed in prod-us

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


def variant(work, name, step):
    """A copy of the demo org and snapshot as they were at `step` (0: a week ago, 1: four days)."""
    org = work / name / "org"
    shutil.copytree(ORG, org)
    snapshot = json.loads(SNAPSHOT.read_text())
    shutil.rmtree(org / "onboarding-web")
    edit(org / "fraud-scorer" / "catalog-info.yaml", "lifecycle: experimental", "lifecycle: development")
    retag(snapshot, "fx-quotes", "4.2.4", "4.2.1")
    calm(snapshot, "payments-ledger", "prod-us")
    if step == 0:
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
    snap = work / name / "snapshot.json"
    snap.write_text(json.dumps(snapshot))
    return org, snap


def build(binary, work, name, org, snapshot, at, previous=None):
    (work / name).mkdir(exist_ok=True)
    site = work / name / "site.toml"
    site.write_text(
        f'title = "Kloudvin Developer Portal"\n[[sources]]\ntype = "local"\npath = "{org}"\n'
        f'[kubernetes]\nsnapshot = "{snapshot}"\n'
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
        org, snap = variant(work, "a", 0)
        state = build(binary, work, "a", org, snap, WEEK_AGO)
        org, snap = variant(work, "b", 1)
        state = build(binary, work, "b", org, snap, FOUR_DAYS_AGO, state)
        state = build(binary, work, "c", ORG, SNAPSHOT, LAST, state)
        shutil.copy(state, HERE / "demo-previous-state.json")
    print(f"wrote {HERE / 'demo-previous-state.json'}")


if __name__ == "__main__":
    main()
