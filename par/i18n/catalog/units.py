"""Messages whose keys start with ``units.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "units.empty_cell": {"vi": "ô '{column}' đang trống; mỗi đơn vị cần mã, tên và cấp.",
                         "en": "'{column}' is empty; every unit needs an id, a name and a level."},
    "units.duplicate": {"vi": "{column} '{value}' trùng với dòng {first_row}.",
                        "en": "{column} '{value}' repeats row {first_row}."},
}
