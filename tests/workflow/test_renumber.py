"""`gitdesk renumber` on real repos where two PRs allocated the same id."""

from __future__ import annotations

from pathlib import Path

from workflow_testkit import Desk, incident, run_cli

YAML_INCIDENT = "id: INC-0005\ntitle: Slow order list filter\nseverity: P2\nstatus: reported\ndescription: Filters take 40s.\n"


def _two_prs_merged(desk: Desk) -> None:
    """PR A and PR B both took INC-0005 (B as a .yaml file, so Git merged both); A landed first."""
    desk.write("tickets/incidents/2026/INC-0003.md", incident("INC-0003", "Old incident"))
    desk.commit("INC-0003")
    desk.git("checkout", "-q", "-b", "pr-a")
    desk.write("tickets/incidents/2026/INC-0005.md", incident("INC-0005", "Accounting export fails"))
    desk.write("tickets/decisions/DEC-0001.md",
               "---\nid: DEC-0001\ntitle: Retry exports\nstatus: proposed\nrelated: [INC-0005]  # A's export incident\n---\n")
    desk.commit("A: INC-0005 and DEC-0001")
    desk.git("checkout", "-q", "main")
    desk.git("checkout", "-q", "-b", "pr-b")
    desk.write("tickets/incidents/2026/INC-0005.yaml", YAML_INCIDENT)
    desk.write("backlog/EVO-0001.md", "---\nid: EVO-0001\ntitle: Faster filters\nstatus: proposed\norigin:\n  - INC-0005\n---\n")
    desk.write("tickets/incidents/2026/INC-0003.md", incident("INC-0003", "Old incident", related="[INC-0005]"))
    desk.commit("B: INC-0005 (yaml), EVO-0001, link from INC-0003")
    desk.git("checkout", "-q", "main")
    desk.git("merge", "-q", "--no-ff", "pr-a", "-m", "Merge PR A")
    desk.git("merge", "-q", "--no-ff", "pr-b", "-m", "Merge PR B")


def test_the_later_landed_duplicate_gets_a_fresh_id_and_its_references_follow(desk: Desk) -> None:
    _two_prs_merged(desk)
    assert desk.run("validate", "--no-history").exit_code == 1  # GD200: the duplicate
    result = desk.run("renumber")
    assert result.exit_code == 0, result.output
    assert "INC-0005 → INC-0006: tickets/incidents/2026/INC-0005.yaml → tickets/incidents/2026/INC-0006.yaml" in result.stdout
    root = desk.root
    assert not (root / "tickets/incidents/2026/INC-0005.yaml").exists()
    assert (root / "tickets/incidents/2026/INC-0006.yaml").read_text() == YAML_INCIDENT.replace("INC-0005", "INC-0006")
    assert "id: INC-0005" in (root / "tickets/incidents/2026/INC-0005.md").read_text()  # A landed first: it keeps
    # B's references were written alongside B's ticket: they follow it.
    assert "origin:\n  - INC-0006\n" in (root / "backlog/EVO-0001.md").read_text()
    assert "related: [INC-0006]" in (root / "tickets/incidents/2026/INC-0003.md").read_text()
    # A's reference was on main before B landed: it means A's ticket and stays, comment included.
    assert "related: [INC-0005]  # A's export incident" in (root / "tickets/decisions/DEC-0001.md").read_text()
    assert desk.run("validate", "--no-history").exit_code == 0


def test_dry_run_prints_the_plan_and_writes_nothing(desk: Desk) -> None:
    _two_prs_merged(desk)
    before = desk.snapshot()
    result = desk.run("renumber", "--dry-run")
    assert result.exit_code == 0
    assert "backlog/EVO-0001.md: origin INC-0005 → INC-0006" in result.stdout
    assert "tickets/decisions/DEC-0001.md" not in result.stdout
    assert desk.snapshot() == before


def test_a_pr_branch_renumbers_its_ticket_before_main_is_merged_in(desk: Desk) -> None:
    """Same path on both sides: Git would stop with an add/add conflict; renumber first avoids it."""
    desk.git("checkout", "-q", "-b", "pr-b")
    desk.write("tickets/incidents/2026/INC-0001.md", incident("INC-0001", "Slow order list"))
    desk.write("backlog/EVO-0001.md", "---\nid: EVO-0001\ntitle: Faster filters\nstatus: proposed\norigin: [INC-0001]\n---\n")
    desk.commit("B: INC-0001")
    desk.git("checkout", "-q", "main")
    desk.write("tickets/incidents/2026/INC-0001.md", incident("INC-0001", "Export fails"))
    desk.commit("A landed: INC-0001")
    desk.git("checkout", "-q", "pr-b")
    result = desk.run("renumber")
    assert result.exit_code == 0, result.output
    assert "INC-0001 → INC-0002" in result.stdout and "while main gave the id to another ticket" in result.stdout
    assert "Slow order list" in (desk.root / "tickets/incidents/2026/INC-0002.md").read_text()
    assert "origin: [INC-0002]" in (desk.root / "backlog/EVO-0001.md").read_text()
    desk.commit("renumber")
    desk.git("merge", "-q", "--no-edit", "main")  # no conflict any more
    assert desk.run("validate", "--no-history").exit_code == 0
    assert desk.run("renumber").stdout.strip() == "no duplicate ids"


def test_a_ticket_already_landed_is_not_a_duplicate_of_itself(desk: Desk) -> None:
    desk.git("checkout", "-q", "-b", "pr-a")
    desk.write("tickets/incidents/2026/INC-0001.md", incident("INC-0001"))
    desk.commit("A: INC-0001")
    desk.git("checkout", "-q", "main")
    desk.git("merge", "-q", "--squash", "pr-a")
    desk.commit("A squashed")
    desk.git("checkout", "-q", "pr-a")
    result = desk.run("renumber")
    assert result.exit_code == 0 and result.stdout.strip() == "no duplicate ids"


def test_renumber_outside_git_is_a_usage_error(tmp_path: Path) -> None:
    from gitdesk.workflow import scaffold

    scaffold.write_new(tmp_path, scaffold.init_files(title="No Git"))
    result = run_cli("--repo", str(tmp_path), "renumber")
    assert result.exit_code == 2 and "not a Git repository" in result.stderr


def test_landing_order_decides_not_the_file_name(desk: Desk) -> None:
    """A's INC-0005.yaml landed first, so B's INC-0005.md (which sorts first) is the one renumbered."""
    desk.git("checkout", "-q", "-b", "pr-b")
    desk.write("tickets/incidents/2026/INC-0005.md", incident("INC-0005", "B's incident"))
    desk.commit("B")
    desk.git("checkout", "-q", "main")
    desk.write("tickets/incidents/2026/INC-0005.yaml", YAML_INCIDENT)
    desk.commit("A, straight on main")
    desk.git("merge", "-q", "--no-ff", "pr-b", "-m", "Merge PR B")
    result = desk.run("renumber")
    assert "INC-0005 → INC-0006: tickets/incidents/2026/INC-0005.md → tickets/incidents/2026/INC-0006.md (landed on main later" in result.stdout
    assert "B's incident" in (desk.root / "tickets/incidents/2026/INC-0006.md").read_text()
    assert (desk.root / "tickets/incidents/2026/INC-0005.yaml").read_text() == YAML_INCIDENT


def test_fresh_ids_skip_ids_taken_on_other_branches(desk: Desk) -> None:
    _two_prs_merged(desk)
    desk.git("checkout", "-q", "-b", "pr-c", "main~1")
    desk.write("tickets/incidents/2026/INC-0006.md", incident("INC-0006", "C's incident"))
    desk.commit("C: INC-0006, still in review")
    desk.git("checkout", "-q", "main")
    result = desk.run("renumber")
    assert "INC-0005 → INC-0007" in result.stdout


def test_two_duplicated_ids_that_refer_to_each_other(desk: Desk) -> None:
    """B's EVO-0001 (renumbered) names B's INC-0001 (renumbered too); a supersede chain follows as well."""
    desk.write("tickets/decisions/DEC-0001.md", "---\nid: DEC-0001\ntitle: Nightly exports\nstatus: accepted\n---\n")
    desk.commit("DEC-0001")
    desk.git("checkout", "-q", "-b", "pr-a")
    desk.write("tickets/incidents/2026/INC-0001.md", incident("INC-0001", "A"))
    desk.write("backlog/EVO-0001.md", "---\nid: EVO-0001\ntitle: A's item\nstatus: proposed\norigin: [INC-0001]\n---\n")
    desk.write("tickets/decisions/DEC-0002.md", "---\nid: DEC-0002\ntitle: A's decision\nstatus: proposed\n---\n")
    desk.commit("A")
    desk.git("checkout", "-q", "main")
    desk.git("checkout", "-q", "-b", "pr-b")
    desk.write("tickets/incidents/2026/INC-0001.yaml", "id: INC-0001\ntitle: B\nseverity: P3\nstatus: reported\n")
    desk.write("backlog/EVO-0001.yaml", "id: EVO-0001\ntitle: B's item\nstatus: proposed\norigin: [INC-0001]\n")
    desk.write("tickets/decisions/DEC-0002.yaml", "id: DEC-0002\ntitle: Hourly exports\nstatus: accepted\nsupersedes: DEC-0001\n")
    desk.write("tickets/decisions/DEC-0001.md",
               "---\nid: DEC-0001\ntitle: Nightly exports\nstatus: superseded\nsuperseded_by: DEC-0002\n---\n")
    desk.commit("B")
    desk.git("checkout", "-q", "main")
    desk.git("merge", "-q", "--no-ff", "pr-a", "-m", "Merge A")
    desk.git("merge", "-q", "--no-ff", "pr-b", "-m", "Merge B")
    result = desk.run("renumber")
    assert result.exit_code == 0, result.output
    root = desk.root
    assert (root / "backlog/EVO-0002.yaml").read_text() == "id: EVO-0002\ntitle: B's item\nstatus: proposed\norigin: [INC-0002]\n"
    assert "origin: [INC-0001]" in (root / "backlog/EVO-0001.md").read_text()
    assert "superseded_by: DEC-0003" in (root / "tickets/decisions/DEC-0001.md").read_text()
    assert "supersedes: DEC-0001" in (root / "tickets/decisions/DEC-0003.yaml").read_text()
    assert desk.run("validate", "--no-history").exit_code == 0


def test_unreadable_files_are_named_because_their_references_went_unchecked(desk: Desk) -> None:
    _two_prs_merged(desk)
    (desk.root / "backlog/EVO-0001.md").write_text("---\nid: EVO-0001\norigin:\n  - INC-0005\n")  # front matter not closed
    result = desk.run("renumber")
    assert result.exit_code == 0
    assert "could not be read, so their references were not checked: backlog/EVO-0001.md" in result.stderr
    assert "INC-0005 → INC-0006" in result.stdout


def test_renumber_without_the_evidence_branch_is_a_usage_error(desk: Desk) -> None:
    desk.git("branch", "-m", "main", "trunk")
    desk.write("tickets/incidents/2026/INC-0001.md", incident("INC-0001"))
    desk.write("tickets/incidents/2026/INC-0001.yaml", YAML_INCIDENT.replace("INC-0005", "INC-0001"))
    before = desk.snapshot()
    result = desk.run("renumber")
    assert result.exit_code == 2 and "no branch 'main'" in result.stderr and "branch:" in result.stderr
    assert desk.snapshot() == before
