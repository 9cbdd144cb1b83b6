"""Messages whose keys start with ``import.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "import.unknown_criteria": {"vi": "tệp ghi bộ chỉ số '{id}' nhưng hệ thống không có bộ chỉ số này; tải mẫu mới từ hệ thống.",
                                "en": "the file names criteria set '{id}', which the system does not have; download a new template."},
    "import.which_criteria": {"vi": "không xác định được bộ chỉ số cho tệp (cấp: {levels}; năm: {years}); chỉ rõ bằng --criteria hoặc dùng mẫu tải từ hệ thống.",
                              "en": "cannot tell which criteria set the file is for (levels: {levels}; years: {years}); name it with --criteria or use a template from the system."},
    "import.no_rows": {"vi": "tệp không có dòng số liệu nào được điền.",
                       "en": "the file has no filled-in rows."},
    "import.other_unit": {"vi": "tệp chứa số liệu của đơn vị khác ngoài '{unit}'.",
                          "en": "the file holds data of units other than '{unit}'."},
    "import.other_period": {"vi": "tệp chứa số liệu của kỳ khác ngoài '{period}'.",
                            "en": "the file holds data of periods other than '{period}'."},
    "import.criteria_changed": {"vi": "bộ chỉ số '{id}' trong tệp này khác với bản đã đăng ký trong cơ sở dữ liệu; số liệu chỉ được kiểm tra theo bộ chỉ số của Sở Nội vụ (bỏ --criteria, hoặc nhờ quản trị viên đăng ký phiên bản mới).",
                                "en": "criteria set '{id}' in this file differs from the version registered in the database; data is checked only against the office's criteria sets (leave out --criteria, or ask an admin to register the new version)."},
}
