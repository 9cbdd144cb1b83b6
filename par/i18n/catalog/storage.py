"""Messages whose keys start with ``storage.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "storage.no_submission": {"vi": "không có lần nộp số {id}; xem danh sách bằng lệnh history.",
                              "en": "there is no submission {id}; list them with the history command."},
    "storage.already_current": {"vi": "lần nộp số {id} đang là bản hiện hành; không cần khôi phục.",
                                "en": "submission {id} is already the current one; nothing to roll back."},
    "storage.unavailable": {"vi": "không kết nối được cơ sở dữ liệu ({detail}); kiểm tra PAR_DATABASE_URL.",
                            "en": "cannot reach the database ({detail}); check PAR_DATABASE_URL."},
    "storage.bad_stored_value": {"vi": "lần nộp #{id}, tiêu chí {criterion}: giá trị đã lưu không phải số hữu hạn nên được coi là thiếu; hãy nộp lại tệp của đơn vị này.",
                                 "en": "submission #{id}, criterion {criterion}: the stored value is not a finite number, so it counts as missing; upload this unit's file again."},
    "storage.pruned": {"vi": "số liệu của lần nộp #{id} đã được xóa theo thời hạn lưu trữ; không khôi phục được, hãy nộp lại tệp.",
                       "en": "the rows of submission #{id} were removed under the retention policy; it cannot be restored, upload the file again."},
}
