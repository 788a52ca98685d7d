"""Dated, indicative GPU prices: purchase (USD per GPU) and on-demand rent (USD per GPU-hour).

Every figure carries where it comes from and when. They are list or street prices that move fast;
pages must show the date. Ranges keep low and high; `usd` is their midpoint.
"""

from dataclasses import dataclass

_REF = "project reference notes (shared/reference/README.md), indicative prices"


@dataclass(frozen=True)
class Price:
    """One dated price point for one GPU."""

    gpu_id: str
    kind: str  # "purchase" (USD per GPU) or "hourly" (USD per GPU-hour, on demand)
    low_usd: float
    high_usd: float
    what: str  # who charges it, for what
    source: str
    as_of: str  # year or month the figure applies to
    unverified: bool = False

    @property
    def usd(self) -> float:
        """The midpoint of the range."""
        return (self.low_usd + self.high_usd) / 2


PURCHASE: tuple[Price, ...] = (
    Price("h100-sxm", "purchase", 25_000, 30_000, "H100 GPU, street price", _REF, "2023"),
    Price("b200", "purchase", 30_000, 40_000, "B200 GPU, street price", _REF, "2024"),
    Price("rtx-pro-6000", "purchase", 8_565, 8_565, "RTX PRO 6000 Blackwell, MSRP", _REF, "2025"),
)
# A whole system for comparison: the GPUs are only part of a server's price.
DGX_H100_SYSTEM = Price("h100-sxm", "system", 270_000, 270_000, "DGX H100 (8 GPUs, CPUs, networking)", _REF, "2023")

HOURLY: tuple[Price, ...] = (
    Price(
        "h100-sxm",
        "hourly",
        6.88,
        6.88,
        "AWS p5.48xlarge on demand, per GPU, after the June 2025 price cut",
        _REF,
        "2025",
    ),
    Price("h100-sxm", "hourly", 1.49, 2.99, "smaller GPU clouds, on demand", _REF, "2026"),
    Price("h200-sxm", "hourly", 2.25, 2.25, "smaller GPU clouds, on demand", _REF, "2026"),
    Price("b200", "hourly", 3.75, 5.60, "smaller GPU clouds, on demand", _REF, "2026"),
    Price("mi300x", "hourly", 1.80, 1.80, "smaller GPU clouds, on demand", _REF, "2026"),
    Price("l4", "hourly", 0.70, 0.80, "smaller GPU clouds, on demand", _REF, "2026"),
)
# 1-3 year reservations cost roughly this fraction less than on demand.
RESERVATION_DISCOUNT_LOW, RESERVATION_DISCOUNT_HIGH = 0.30, 0.60
RESERVATION_DISCOUNT_UNVERIFIED = True


def purchase_price(gpu_id: str) -> Price | None:
    """The purchase price of one GPU, if we have one."""
    return next((p for p in PURCHASE if p.gpu_id == gpu_id), None)


def hourly_prices(gpu_id: str) -> tuple[Price, ...]:
    """All on-demand prices we have for a GPU (hyperscaler and smaller clouds)."""
    return tuple(p for p in HOURLY if p.gpu_id == gpu_id)


def hourly_price(gpu_id: str) -> Price | None:
    """The most recent on-demand price for a GPU (smaller clouds, 2026, where we have them)."""
    prices = hourly_prices(gpu_id)
    return max(prices, key=lambda p: p.as_of) if prices else None
