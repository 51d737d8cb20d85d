"""Shared code of the executable book on Bayesian linear regression.

Chapters import from here so that each function exists once: data simulation
(:mod:`.data`), the closed-form conjugate posterior (:mod:`.conjugate`), random
draws of weights and lines (:mod:`.draws`), the book's plotting helpers
(:mod:`.plotting`) and the assertions its hidden check cells make (:mod:`.checks`).
"""

__version__ = "0.1.0"
