"""Screens: layout and key routing only; data comes from `aployee_sim.tui.sources`, text from the view-models."""
