"""Account pages: ``account`` (sign-up, sign-in, profile, notifications, settings, follow and
block) and ``family`` (teen accounts, parent links, data export and account deletion)."""
