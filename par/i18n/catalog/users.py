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
    "users.done_passwd": {"vi": "Đã đổi mật khẩu của {user}.", "en": "Password of {user} changed."},
}
