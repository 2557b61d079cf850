#!/usr/bin/python3
"""bench_plot.py: draws the allocator benchmark's two plots from the files bench writes.

Usage: bench_plot.py OUTDIR (make bench-micro runs it on $(ALLOC_OUT)/bench). It reads
OUTDIR/latency.csv (the median ticks of one alloc per 5% bucket of heap fill, per design) and
OUTDIR/heapmap.dat (for each design, the live bytes in each 256-byte cell of the arena at the
first NULL), and writes:
  latency.png  one line per design: median alloc latency against heap fill, log y
  heapmap.png  one panel per design: the arena as a grid of cells, each coloured by how much of
               it live blocks cover; grey cells were never mapped (heap_grow() never reached them)
Everything it draws was computed by bench; this script only lays it out.
"""
import csv
import os
import sys

try:
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt
    import numpy as np
except ImportError:
    print("make bench needs python3-matplotlib: apt-get install python3-matplotlib")
    sys.exit(1)

# One colour and marker per design. Per-call times are multiples of the TSC's step (26 ticks
# on AMD), so several designs often share a bucket's median: each line is shifted sideways a
# little (DODGE % of fill per design) and has its own marker, so none hides another.
COLOURS = {
    "bump": "tab:brown",
    "list": "tab:red",
    "fixed": "tab:blue",
    "buddy": "tab:purple",
    "slab": "tab:green",
    "glibc": "black",
}
MARKERS = {"bump": "s", "list": "o", "fixed": "^", "buddy": "D", "slab": "v", "glibc": "x"}
DODGE = 0.8


def read_latency(path):
    """{design: ([bucket mid %], [median ticks])} in file order."""
    series = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            mid = (float(row["fill_lo_pct"]) + float(row["fill_hi_pct"])) / 2
            xs, ys = series.setdefault(row["design"], ([], []))
            xs.append(mid)
            ys.append(max(float(row["median_ticks"]), 1.0))  # log axis: no zero
    return series


def plot_latency(series, out):
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for i, (name, (xs, ys)) in enumerate(series.items()):
        shift = (i - (len(series) - 1) / 2) * DODGE
        ax.plot([x + shift for x in xs], ys, marker=MARKERS.get(name, "o"), markersize=5,
                label=name, color=COLOURS.get(name), linestyle="--" if name == "glibc" else "-")
    ax.set_yscale("log")
    ax.set_xlim(0, 100)
    ax.set_xlabel("heap fill: live bytes requested / 16 MiB arena (%), buckets of 5%\n"
                  "(times are multiples of the TSC's step; lines are shifted sideways a little "
                  "so that none hides another)", fontsize=9)
    ax.set_ylabel("TSC ticks of one alloc, median of the bucket (log scale)")
    ax.set_title("Latency of one alloc (locked front end) as the heap fills\n"
                 "mixed sizes 16 B..16 KiB, 45% of steps free a random block; "
                 "each line ends at its first NULL")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(title="design")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def read_heapmap(path):
    """(cell_bytes, arena, [(design, mapped, usable_pct, requested_pct, cells)])."""
    panels = []
    cell = arena = None
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                words = line.split()
                cell = int(words[words.index("cell_bytes") + 1])
                arena = int(words[words.index("arena") + 1])
                continue
            words = line.split()
            if not words:
                continue
            cells = np.array(words[4:], dtype=float)
            panels.append((words[0], int(words[1]), float(words[2]), float(words[3]), cells))
    return cell, arena, panels


def plot_heapmap(cell, arena, panels, out):
    ncells = arena // cell
    width = 256  # cells per row: 64 KiB a row with 256-byte cells
    rows = ncells // width
    cols = min(len(panels), 3)
    nrows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(4.2 * cols, 4.4 * nrows + 0.6), squeeze=False)
    cmap = matplotlib.colormaps["viridis"].copy()
    cmap.set_bad("lightgrey")
    image = None
    for i, (name, mapped, usable_pct, requested_pct, cells) in enumerate(panels):
        ax = axes[i // cols][i % cols]
        frac = cells / cell
        frac[np.arange(ncells) * cell >= mapped] = np.nan  # never mapped
        image = ax.imshow(frac.reshape(rows, width), cmap=cmap, vmin=0, vmax=1,
                          interpolation="nearest", aspect="auto",
                          extent=(0, width * cell / 1024, arena / 2**20, 0))
        ax.set_title(f"{name}: {usable_pct:.1f}% handed out, {requested_pct:.1f}% requested",
                     fontsize=10)
        ax.set_xlabel("offset within the row (KiB)")
        ax.set_ylabel("row start (MiB into the arena)")
    for j in range(len(panels), nrows * cols):
        axes[j // cols][j % cols].axis("off")
    fig.suptitle(f"The {arena >> 20} MiB arena at the first NULL of the fill: each "
                 f"{cell}-byte cell coloured by the share of it the live requests cover\n"
                 "(a block's rounding beyond its request counts as empty; grey: never mapped)",
                 fontsize=11)
    fig.tight_layout(rect=(0, 0, 0.9, 0.95))
    bar = fig.add_axes((0.92, 0.15, 0.02, 0.7))
    fig.colorbar(image, cax=bar, label="share of the cell holding requested bytes")
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main():
    if len(sys.argv) != 2:
        print("usage: bench_plot.py OUTDIR", file=sys.stderr)
        return 2
    outdir = sys.argv[1]
    series = read_latency(os.path.join(outdir, "latency.csv"))
    latency_png = os.path.join(outdir, "latency.png")
    plot_latency(series, latency_png)
    print(f"wrote {latency_png}")
    cell, arena, panels = read_heapmap(os.path.join(outdir, "heapmap.dat"))
    if panels:
        heapmap_png = os.path.join(outdir, "heapmap.png")
        plot_heapmap(cell, arena, panels, heapmap_png)
        print(f"wrote {heapmap_png}")
    else:
        print("bench_plot.py: heapmap.dat holds no design: heapmap.png not drawn")
    return 0


if __name__ == "__main__":
    sys.exit(main())
