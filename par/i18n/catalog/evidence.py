"""Messages whose keys start with ``evidence.``: evidence files refused at the door."""

MESSAGES: dict[str, dict[str, str]] = {
    "evidence.bad_type": {"vi": "loại tệp không được nhận làm tài liệu kiểm chứng; chỉ nhận {allowed}.",
                          "en": "this kind of file is not accepted as evidence; accepted: {allowed}."},
    "evidence.empty": {"vi": "tệp rỗng; chọn lại đúng tệp tài liệu.", "en": "the file is empty; pick the right file."},
    "evidence.not_what_it_says": {"vi": "nội dung tệp không phải {kind} như tên tệp cho biết; lưu lại tệp đúng định dạng rồi tải lên.",
                                  "en": "the file's content is not {kind} as its name says; save it in that format and upload it again."},
    "evidence.unreadable": {"vi": "không kiểm tra được tệp; lưu lại tệp rồi tải lên lại.",
                            "en": "the file could not be checked; save it again and upload it."},
    "evidence.image_too_large": {"vi": "ảnh quá lớn ({width}×{height} điểm ảnh); thu nhỏ ảnh rồi tải lên lại.",
                                 "en": "the image is too large ({width}×{height} pixels); scale it down and upload it again."},
}
