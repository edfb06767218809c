"""An offer's lifecycle on the as-of date: not yet released, on sale, deprecated, or retired.

A retired offer cannot be bought: pricing it is an error that names its replacement, unless the candidate says
`reroute_retired: true` (for vendors that send a retired model's traffic to its successor), when the replacement
is priced instead. A deprecated offer is priced with a warning giving its shutdown date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tco.errors import TcoError
from tco.models.catalog import OfferRef, Selection


def deprecation_warning(ref: OfferRef, day: dt.date) -> str | None:
    """The warning for an offer whose shutdown was announced by `day`, or None."""
    offer = ref.offer
    if offer.deprecated is not None and offer.deprecated > day or offer.deprecated is None and offer.retired is None:
        return None  # not announced by then, or never
    successor = f"; the vendor names {offer.replacement} as its replacement" if offer.replacement else ""
    since = f" (announced {offer.deprecated})" if offer.deprecated else ""
    if offer.retired is None:
        return f"{ref.id} is deprecated{since}, with no shutdown date announced{successor}"
    return f"{ref.id} is deprecated{since} and shuts down on {offer.retired}{successor}"


def status(ref: OfferRef, day: dt.date, in_force: bool = True) -> str:
    """One word or two for listings: on sale, deprecated, retired, not released, or not sold (not in the version
    in force on `day`)."""
    offer = ref.offer
    if ref.offer.retired_by(day):
        return "retired"
    if offer.released is not None and day < offer.released or not in_force and ref.source.version > day:
        return "not released"
    if not in_force:
        return "not sold"
    return "deprecated" if deprecation_warning(ref, day) else "on sale"


def priced_offer(ref: OfferRef, selection: Selection, reroute: bool,
                 error: Callable[[str], TcoError]) -> tuple[OfferRef, tuple[str, ...]]:
    """The offer to price for a candidate that names `ref`, and the lifecycle warnings to show with its result."""
    day = selection.as_of
    released = ref.offer.released
    if not ref.offer.released_by(day):
        raise error(f"{ref.id} is not released until {released}, after the as-of date {day}"
                    f"{selection.when_on_sale(ref.id)}")
    if not ref.offer.retired_by(day):
        warning = deprecation_warning(ref, day)
        return ref, (warning,) if warning else ()
    seen = [ref.id]
    current = ref
    while current.offer.retired_by(day):
        offer = current.offer
        gone = f"{current.id} was retired on {offer.retired}, on or before the as-of date {day}"
        if offer.replacement is None:
            raise error(f"{gone}, and the vendor names no replacement; compare another offer, or use an --as-of "
                        f"before {offer.retired}")
        if not reroute:
            raise error(f"{gone}; the vendor names {offer.replacement} as its replacement: compare that, set "
                        f"`reroute_retired: true` on the candidate to price the replacement where the vendor "
                        f"sends the old model's calls to it, or use an --as-of before {offer.retired}")
        successor = selection.find(offer.replacement)
        if successor is None or successor.id in seen:
            why = "names it back" if successor else "is not in the price books in force then"
            raise error(f"{gone}; its replacement {offer.replacement} {why}, so it cannot be rerouted")
        seen.append(successor.id)
        current = successor
    note = (f"{ref.id} was retired on {ref.offer.retired}; priced at its replacement "
            f"{' → '.join(seen[1:])} (reroute_retired)")
    warning = deprecation_warning(current, day)
    return current, (note, warning) if warning else (note,)
