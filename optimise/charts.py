"""Charts of the optimiser's results, for managers: titled, with units and currency."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

COMPONENTS = (  # cost key, legend label, colour
    ("agents", "Agents (paid hours)", "#4C72B0"),
    ("self_service", "Self-service contacts", "#55A868"),
    ("self_service_options", "Self-service option (build and run)", "#C9A227"),
    ("abandonment", "Abandoned callers (penalty)", "#C44E52"),
)


def self_service_chart(
    labels: list[str], costs: list[dict[str, float]], service_levels: list[float],
    chosen: int, target: float, currency: str, title: str, path: Path,
) -> None:
    """Total cost per day stacked by component for each option, the chosen one marked, and
    the service level each achieves (verifying simulation) beside it."""
    n = len(labels)
    fig, (ax, ax_sl) = plt.subplots(
        1, 2, figsize=(max(8.0, 2.2 * n + 4), 6.0), gridspec_kw={"width_ratios": [3, 1.2]})
    x = np.arange(n)
    bottom = np.zeros(n)
    for key, label, colour in COMPONENTS:
        values = np.array([c.get(key, 0.0) for c in costs])
        ax.bar(x, values, bottom=bottom, color=colour, label=label, width=0.6)
        bottom += values
    top = bottom.max() if n else 1.0
    for i, total in enumerate(bottom):
        ax.text(i, total + top * 0.01, f"{total:,.0f}", ha="center", va="bottom", fontsize=9)
    ax.bar([chosen], [bottom[chosen]], width=0.68, fill=False, edgecolor="black", linewidth=2.5)
    ax.annotate("chosen: cheapest meeting the target", (chosen, bottom[chosen] + top * 0.07),
                ha="center", fontsize=9, fontweight="bold")
    ax.set_xticks(x, labels, rotation=15 if n > 3 else 0, ha="right" if n > 3 else "center")
    ax.set_ylabel(f"Cost per day ({currency})")
    ax.set_ylim(0, top * 1.18)
    ax.set_title("Total daily cost by option")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8,
              frameon=False)
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))

    colours = ["black" if i == chosen else "#888888" for i in range(n)]
    ax_sl.barh(x, [100 * v for v in service_levels], color=colours, height=0.5)
    ax_sl.axvline(100 * target, color="#C44E52", linestyle="--", label=f"target {target:.0%}")
    for i, v in enumerate(service_levels):
        ax_sl.text(100 * v + 1, i, f"{v:.1%}", va="center", fontsize=9)
    ax_sl.set_yticks(x, labels)
    ax_sl.invert_yaxis()
    ax_sl.set_xlim(0, 115)
    ax_sl.set_xlabel("Service level achieved (%)")
    ax_sl.set_title("Service level")
    ax_sl.legend(loc="lower right", fontsize=8)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
