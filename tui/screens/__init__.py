"""Screens: layout and key routing only; data comes from `tui.sources`, text from the view-models."""
