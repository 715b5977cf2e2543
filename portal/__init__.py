"""卫生健康技术推广门户 — static site generator for the health-technology promotion portal."""

__version__ = "0.1.0"
