"""Messages whose keys start with ``file.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "file.not_found": {"vi": "không tìm thấy tệp; kiểm tra lại đường dẫn.",
                       "en": "file not found; check the path."},
    "file.not_utf8": {"vi": "tệp không phải văn bản UTF-8; hãy lưu lại với bảng mã UTF-8.",
                      "en": "the file is not UTF-8 text; save it again as UTF-8."},
    "file.unreadable": {"vi": "không đọc được tệp ({detail}).",
                        "en": "cannot read the file ({detail})."},
    "file.bad_type": {"vi": "định dạng '{suffix}' không được hỗ trợ; dùng .csv hoặc .xlsx.",
                      "en": "format '{suffix}' is not supported; use .csv or .xlsx."},
    "file.bad_xlsx": {"vi": "không mở được tệp Excel ({detail}); hãy lưu lại dưới dạng .xlsx.",
                      "en": "cannot open the Excel file ({detail}); save it again as .xlsx."},
    "file.empty": {"vi": "tệp không có dữ liệu (cần một dòng tiêu đề).",
                   "en": "the file has no data (a header row is needed)."},
    "file.missing_columns": {
        "vi": "thiếu cột bắt buộc: {columns}. Dòng tiêu đề phải có: {expected}.",
        "en": "required columns missing: {columns}. The header row must have: {expected}."},
    "file.ragged_row": {"vi": "dòng có {count} ô, trong khi dòng tiêu đề có {expected} cột; kiểm tra dấu phẩy thừa hoặc thiếu (dùng dấu ngoặc kép cho giá trị có dấu phẩy, ví dụ \"0,5\").",
                        "en": "the row has {count} cells but the header has {expected} columns; check for extra or missing commas (quote values that contain a comma, e.g. \"0,5\")."},
    "file.duplicate_column": {"vi": "cột '{column}' xuất hiện hai lần trong dòng tiêu đề.",
                              "en": "column '{column}' appears twice in the header row."},
    "file.unknown_column": {"vi": "cột '{column}' không thuộc mẫu nhập liệu và bị bỏ qua.",
                            "en": "column '{column}' is not part of the input table and is ignored."},
    "file.too_many_issues": {"vi": "còn {count} lỗi khác không liệt kê; hãy sửa các lỗi trên rồi tải lại.",
                             "en": "{count} more problems not listed; fix the ones above and load again."},
}
