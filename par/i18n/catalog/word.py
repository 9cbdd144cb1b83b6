"""Messages whose keys start with ``word.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "word.yes": {"vi": "có", "en": "yes"},
    "word.not_submitted": {"vi": "chưa nộp", "en": "not submitted"},
    "word.all": {"vi": "Tất cả", "en": "All"},
    # unit groups (the units table stores the codes; par.present.tables.group_label)
    "word.group_xa": {"vi": "Xã", "en": "Commune"},
    "word.group_phuong": {"vi": "Phường", "en": "Ward"},
    "word.group_dac-khu": {"vi": "Đặc khu", "en": "Special zone"},
}
