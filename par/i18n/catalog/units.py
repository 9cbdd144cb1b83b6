"""Messages whose keys start with ``units.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "units.empty_cell": {"vi": "ô '{column}' đang trống; mỗi đơn vị cần mã, tên và cấp.",
                         "en": "'{column}' is empty; every unit needs an id, a name and a level."},
    "units.duplicate": {"vi": "{column} '{value}' trùng với dòng {first_row}.",
                        "en": "{column} '{value}' repeats row {first_row}."},
    "units.unknown_province": {
        "vi": "không có tỉnh, thành phố '{province}' trong danh sách chính thức ({count} tỉnh, "
              "thành phố từ 1/7/2025); có phải: {matches}?",
        "en": "no province or city '{province}' in the official list ({count} provinces and "
              "cities since 1/7/2025); did you mean: {matches}?"},
    "units.official_summary": {
        "vi": "{province}: {total} đơn vị cấp xã chính thức ({xa} xã, {phuong} phường, "
              "{dac_khu} đặc khu), nguồn {source}.",
        "en": "{province}: {total} official commune-level units ({xa} communes, {phuong} wards, "
              "{dac_khu} special zones), from {source}."},
    "units.official_add": {"vi": "+ thêm {id}: {name} ({group}, mã {code})",
                           "en": "+ add {id}: {name} ({group}, code {code})"},
    "units.official_change": {"vi": "~ sửa {id} (mã {code}): {old} → {new}",
                              "en": "~ change {id} (code {code}): {old} → {new}"},
    "units.official_counts": {
        "vi": "{add} đơn vị mới, {change} đổi tên hoặc nhóm, {same} không đổi.",
        "en": "{add} new units, {change} renamed or regrouped, {same} unchanged."},
    "units.official_unlisted": {
        "vi": "{count} đơn vị cấp xã trong cơ sở dữ liệu không có trong danh sách này (giữ "
              "nguyên, không xóa): {ids}",
        "en": "{count} commune-level units in the database are not in this list (kept, never "
              "deleted): {ids}"},
    "units.official_dry_run": {
        "vi": "Chạy thử: chưa lưu gì. Thêm --apply để lưu (chỉ quản trị viên).",
        "en": "Dry run: nothing stored. Add --apply to store (admins only)."},
    "units.official_applied": {
        "vi": "Đã lưu vào cơ sở dữ liệu: {add} đơn vị mới, {change} đơn vị sửa (đã ghi nhật ký).",
        "en": "Stored in the database: {add} new units, {change} changed (audited)."},
}
