"""Messages whose keys start with ``upload.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "upload.template_title": {"vi": "1. Tải mẫu nhập liệu", "en": "1. Download a template"},
    "upload.period": {"vi": "Kỳ báo cáo", "en": "Period"},
    "upload.download": {"vi": "Tải mẫu Excel", "en": "Download the Excel template"},
    "upload.upload_title": {"vi": "2. Tải lên tệp đã điền", "en": "2. Upload a filled file"},
    "upload.file": {"vi": "Tệp Excel (.xlsx) hoặc CSV", "en": "Excel (.xlsx) or CSV file"},
    "upload.no_units": {"vi": "Tài khoản này không được giao đơn vị nào ở cấp này.", "en": "This account has no units at this level."},
    "upload.errors": {"vi": "Tệp có {count} lỗi; chưa có gì được lưu. Sửa các lỗi sau rồi tải lên lại:",
                      "en": "The file has {count} problems; nothing was stored. Fix these and upload again:"},
    "upload.ok": {"vi": "Tệp hợp lệ: {rows} dòng số liệu, {groups} lần nộp ({what}). Kiểm tra kết quả dự kiến rồi xác nhận.",
                  "en": "The file is valid: {rows} rows in {groups} submissions ({what}). Check the expected result, then confirm."},
    "upload.confirm": {"vi": "Xác nhận lưu", "en": "Confirm and store"},
    "upload.stored": {"vi": "Đã lưu: lần nộp {ids}.", "en": "Stored: submissions {ids}."},
    "upload.history_title": {"vi": "3. Lịch sử nộp và khôi phục", "en": "3. Submission history and rollback"},
    "upload.rollback_pick": {"vi": "Khôi phục lần nộp", "en": "Roll back to submission"},
    "upload.rollback": {"vi": "Khôi phục", "en": "Roll back"},
    "upload.rolled_back": {"vi": "Đã khôi phục lần nộp #{id}.", "en": "Submission #{id} is current again."},
    "upload.no_history": {"vi": "Đơn vị này chưa có lần nộp nào.", "en": "No submissions for this unit yet."},
}
