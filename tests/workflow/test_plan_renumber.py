"""The pure renumber rules, with Git evidence given as data."""

from __future__ import annotations

from gitdesk.workflow import ids
from gitdesk.model import Kind, Ticket


def _ticket(path: str, ticket_id: str, **fields: object) -> Ticket:
    return Ticket(Kind.INCIDENT if ticket_id.startswith("INC") else Kind.BACKLOG, ticket_id, path, {"id": ticket_id, **fields})


def _allocate(kind: Kind, used: set[str]) -> str:
    return ids.next_id(kind, used)


def test_the_first_landed_keeps_the_id_and_old_references_stay_with_it() -> None:
    a = _ticket("tickets/incidents/2026/INC-0005.yaml", "INC-0005")
    b = _ticket("tickets/incidents/2026/INC-0005.md", "INC-0005")
    old_ref = _ticket("backlog/EVO-0001.md", "EVO-0001", origin=["INC-0005"])
    new_ref = _ticket("backlog/EVO-0002.md", "EVO-0002", origin=["INC-0005"])
    seen_at: list[list[tuple[str, str]]] = []

    def fields_at(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, object] | None]:
        seen_at.append(pairs)
        return {("backlog/EVO-0001.md", "b2^1"): {"origin": ["INC-0005"]}, ("backlog/EVO-0002.md", "b2^1"): None}

    evidence = ids.Evidence(
        main="refs/heads/main",
        main_blobs={a.path: "1", b.path: "2", old_ref.path: "3", new_ref.path: "4"},
        base_paths=frozenset({a.path, b.path, old_ref.path, new_ref.path}),  # we are on main itself
        landed={a.path: (1, "a1"), b.path: (2, "b2")},
        fields_at=fields_at,
    )
    plan = ids.plan_renumber([b, a, old_ref, new_ref], evidence, _allocate, lambda path: "")
    assert plan == [ids.Renumbering("INC-0005", "INC-0006", b.path, "tickets/incidents/2026/INC-0006.md",
                                    "landed on main later", a.path, (ids.RefChange("backlog/EVO-0002.md", "origin"),))]
    assert seen_at == [[("backlog/EVO-0001.md", "b2^1"), ("backlog/EVO-0002.md", "b2^1")]]  # one batched read


def test_a_branch_ticket_whose_id_main_gave_away_is_renumbered_unless_it_is_the_same_file() -> None:
    mine = _ticket("tickets/incidents/2026/INC-0003.md", "INC-0003")
    evidence = ids.Evidence(main="refs/heads/main", main_blobs={mine.path: "theirs"}, fields_at=lambda pairs: {})
    plan = ids.plan_renumber([mine], evidence, _allocate, lambda path: "mine")
    assert [(p.old, p.new, p.keeper) for p in plan] == [("INC-0003", "INC-0004", f"{mine.path} on main")]
    same = ids.plan_renumber([mine], evidence, _allocate, lambda path: "theirs")  # landed by squash: same bytes
    assert same == []


def test_without_duplicates_git_is_not_asked_anything() -> None:
    def fields_at(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, object] | None]:
        raise AssertionError("no read expected")

    tickets = [_ticket("tickets/incidents/2026/INC-0001.md", "INC-0001"), _ticket("backlog/EVO-0001.md", "EVO-0001", origin=["INC-0001"])]
    assert ids.plan_renumber(tickets, ids.Evidence(fields_at=fields_at), _allocate, lambda path: "") == []


def test_with_three_copies_of_an_id_no_reference_is_pointed_at_the_wrong_one() -> None:
    """Two newcomers give up INC-0004: a reference to it cannot say which it means, and one copy's never means the other."""
    keeper = _ticket("tickets/incidents/2026/INC-0004.yaml", "INC-0004")
    second = _ticket("tickets/incidents/2026/INC-0004b.yaml", "INC-0004", related=["INC-0004"])
    third = _ticket("tickets/incidents/2026/zz.yaml", "INC-0004")
    outside = _ticket("backlog/EVO-0001.md", "EVO-0001", origin=["INC-0004"])
    evidence = ids.Evidence(main="refs/heads/main", landed={keeper.path: (1, "k1")},
                            fields_at=lambda pairs: {pair: None for pair in pairs})  # every reference is new on this side
    plan = ids.plan_renumber([keeper, second, third, outside], evidence, _allocate, lambda path: "")
    assert sorted((r.path, r.new) for r in plan) == [(second.path, "INC-0005"), (third.path, "INC-0006")]
    assert all(r.refs == () for r in plan)
