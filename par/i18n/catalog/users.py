"""Messages whose keys start with ``users.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "users.name": {"vi": "Tài khoản", "en": "Account"},
    "users.role": {"vi": "Vai trò", "en": "Role"},
    "users.units": {"vi": "Đơn vị", "en": "Units"},
    "users.disabled": {"vi": "Đã khóa", "en": "Disabled"},
    "users.done_add": {"vi": "Đã tạo tài khoản {user}.", "en": "Account {user} created."},
    "users.done_set_role": {"vi": "Đã đổi vai trò của {user}.", "en": "Role of {user} changed."},
    "users.done_disable": {"vi": "Đã khóa tài khoản {user}.", "en": "Account {user} disabled."},
    "users.done_enable": {"vi": "Đã mở khóa tài khoản {user}.", "en": "Account {user} enabled."},
    "users.db_busy": {"vi": "cơ sở dữ liệu đang bận (một thao tác khác đang ghi); vui lòng thử lại sau ít phút.",
                      "en": "the database is busy (another change is being written); please try again in a moment."},
    "users.done_passwd": {"vi": "Đã đổi mật khẩu của {user}.", "en": "Password of {user} changed."},
}
