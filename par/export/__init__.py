"""Files for meetings: chart images, the Excel report, the slide pack, results tables."""
