"""The Textual terminal UI: inspect calls turn by turn and role-play a caller.

A thin shell in three layers: `aployee_sim.tui.sources` reads calls from an in-process platform, a store
file or a running server behind one protocol; `aployee_sim.tui.viewmodels` turns that data into rows and
rich text with pure functions; `aployee_sim.tui.screens` only lay out widgets and route keys.
"""
