"""Messages whose keys start with ``period.`` (par.i18n.formatting.fmt_period)."""

MESSAGES: dict[str, dict[str, str]] = {
    "period.quarter": {"vi": "Quý {quarter}/{year}", "en": "Q{quarter} {year}"},
    "period.year": {"vi": "Cả năm {year}", "en": "Whole year {year}"},
    "period.year_to_date": {"vi": "Lũy kế đến Quý {quarter}/{year}",
                            "en": "Year to date, Q{quarter} {year}"},
}
