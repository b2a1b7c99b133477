"""The demo organisation: ten departments, their 256 people, services, dependencies and eight
quarters of simulated survey history (``flask survey demo``; see docs/demo.md)."""

from survey.demo.build import build_demo
from survey.demo.summary import DemoSummary

__all__ = ["DemoSummary", "build_demo"]
