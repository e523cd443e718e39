"""Journey maps over time: typed edits and applying them, diffs between versions, the versioned map
store, and the checks on a drafted map (its personas, its evidence against the stored feedback)."""
