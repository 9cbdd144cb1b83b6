"""Questions asked of a scorecard: lagging criteria, strengths, trends, comparisons."""
