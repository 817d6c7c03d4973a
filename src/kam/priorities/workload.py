"""The programme's workload (issue 12 item 5, METHOD.md M6: "too many accounts per KAM, so
none gets enough time"). Pure: numbers in, the load and the suggested moves out.

Each KAM's **load** is the hours their accounts' service levels ask in the period (the tier's
visits per month x the months x the hours per visit) against their selling capacity in it.
A KAM is **overloaded** when the hours asked exceed the capacity.

The **suggested reassignment** levels the load, one account at a time:
1. take the KAM with the highest load (hours asked / capacity) above 100%;
2. among their accounts, and among the other KAMs, consider each move of one account to one
   KAM that lowers the highest load of the two (a move that only shifts the overload is no
   move);
3. prefer the move that leaves the pair's higher load lowest; on a tie, the move that loses
   fewer relationships (contacts the giving KAM has met at the account and the receiver has
   not), then the account's name;
4. repeat until no KAM is over capacity or no move helps, at most ``MAX_MOVES`` moves.
KAMs with no capacity set are never given accounts (their load is unknown), and an account
with no hours asked is never moved (moving it levels nothing). Each move says what it
changes: the hours and load of both KAMs before and after, and the relationships lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_MOVES = 20


@dataclass
class KamLoad:
    kam: int
    capacity: float | None  # selling hours in the period; None: not set
    accounts: dict[int, float] = field(default_factory=dict)  # account id -> hours asked

    @property
    def asked(self) -> float:
        return sum(self.accounts.values())

    @property
    def load(self) -> float | None:
        """Hours asked over capacity (1.0 = exactly full); None when capacity is unknown."""
        if self.capacity is None:
            return None
        if self.capacity <= 0:
            return float("inf") if self.asked > 0 else 0.0
        return self.asked / self.capacity

    @property
    def overloaded(self) -> bool:
        return self.load is not None and self.load > 1.0


@dataclass(frozen=True)
class Move:
    account: int
    hours: float
    giver: int
    receiver: int
    giver_before: float  # hours asked
    giver_after: float
    receiver_before: float
    receiver_after: float
    giver_load_after: float
    receiver_load_after: float
    relationships_lost: tuple[int, ...]  # contact ids the giver knows there, the receiver not


def _load(asked: float, capacity: float) -> float:
    if capacity <= 0:
        return float("inf") if asked > 0 else 0.0
    return asked / capacity


def suggest_moves(
    loads: list[KamLoad],
    *,
    known: dict[tuple[int, int], set[int]] | None = None,
    names: dict[int, str] | None = None,
    max_moves: int = MAX_MOVES,
) -> list[Move]:
    """Moves of accounts between KAMs that level the load (see the module's rule).

    ``known[(kam, account)]``: the contacts the KAM has met at the account. ``names``:
    account names, for a stable order between equal moves. The inputs are not changed."""
    known = known or {}
    names = names or {}
    state = {k.kam: KamLoad(k.kam, k.capacity, dict(k.accounts)) for k in loads}
    moves: list[Move] = []
    while len(moves) < max_moves:
        over = sorted(
            (k for k in state.values() if k.overloaded), key=lambda k: (-(k.load or 0), k.kam)
        )
        best = None
        for giver in over:
            for account, hours in giver.accounts.items():
                if hours <= 0:
                    continue
                met = known.get((giver.kam, account), set())
                for receiver in state.values():
                    if receiver.kam == giver.kam or receiver.capacity is None:
                        continue
                    g_after = _load(giver.asked - hours, giver.capacity)
                    r_after = _load(receiver.asked + hours, receiver.capacity)
                    before = max(giver.load or 0, receiver.load or 0)
                    after = max(g_after, r_after)
                    if after >= before - 1e-9:
                        continue
                    lost = tuple(sorted(met - known.get((receiver.kam, account), set())))
                    key = (after, len(lost), names.get(account, ""), account, receiver.kam)
                    if best is None or key < best[0]:
                        best = (key, giver, receiver, account, hours, g_after, r_after, lost)
            if best is not None:
                break  # level the most loaded KAM first
        if best is None:
            break
        _key, giver, receiver, account, hours, g_after, r_after, lost = best
        moves.append(
            Move(
                account=account,
                hours=hours,
                giver=giver.kam,
                receiver=receiver.kam,
                giver_before=giver.asked,
                giver_after=giver.asked - hours,
                receiver_before=receiver.asked,
                receiver_after=receiver.asked + hours,
                giver_load_after=g_after,
                receiver_load_after=r_after,
                relationships_lost=lost,
            )
        )
        del giver.accounts[account]
        receiver.accounts[account] = hours
    return moves
