"""Messages for storage: submissions, history, rollback; merged into par.messages.MESSAGES."""

MESSAGES: dict[str, dict[str, str]] = {
    "storage.no_submission": {"vi": "không có lần nộp số {id}; xem danh sách bằng lệnh history.",
                              "en": "there is no submission {id}; list them with the history command."},
    "storage.already_current": {"vi": "lần nộp số {id} đang là bản hiện hành; không cần khôi phục.",
                                "en": "submission {id} is already the current one; nothing to roll back."},
    "storage.unavailable": {"vi": "không kết nối được cơ sở dữ liệu ({detail}); kiểm tra PAR_DATABASE_URL.",
                            "en": "cannot reach the database ({detail}); check PAR_DATABASE_URL."},
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
}
