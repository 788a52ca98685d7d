"""The one error type the engine raises for bad input."""


class InputError(ValueError):
    """Invalid user input; the message says what to change, in one line."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field  # which input it concerns, so a widget can show it inline


def require(condition: bool, message: str, field: str | None = None) -> None:
    """Raise InputError(message) unless condition holds."""
    if not condition:
        raise InputError(message, field)


def positive_int(value, name: str, field: str | None = None, maximum: int | None = None) -> int:
    """Coerce value to a positive int, or raise an InputError naming `name`."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a whole number, got {value!r}", field) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InputError(f"{name} must be a finite number, got {value!r}", field)
    if number != int(number):
        raise InputError(f"{name} must be a whole number, got {value!r}", field)
    if number < 1:
        raise InputError(f"{name} must be at least 1, got {value!r}", field)
    if maximum is not None and number > maximum:
        raise InputError(f"{name} must be at most {maximum:,}, got {value!r}", field)
    return int(number)


def positive_float(
    value, name: str, field: str | None = None, maximum: float | None = None, allow_zero: bool = False
) -> float:
    """Coerce value to a finite float > 0 (or >= 0), or raise an InputError naming `name`."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}", field) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InputError(f"{name} must be a finite number, got {value!r}", field)
    if number < 0 or (number == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "greater than 0"
        raise InputError(f"{name} must be {bound}, got {value!r}", field)
    if maximum is not None and number > maximum:
        raise InputError(f"{name} must be at most {maximum:,}, got {value!r}", field)
    return number
