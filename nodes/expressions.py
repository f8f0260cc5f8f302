"""The one expression language (CONTRACT §2): JsonLogic rules and `{{ dotted.path }}` templates, evaluated
against a run's context for every node and for the engine."""

from __future__ import annotations

import functools
import json
import logging
import math
import operator
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, Final, ParamSpec, TypeVar

from json_logic.builtins import op_merge, op_missing, op_missing_some, op_substr, op_var, to_bool

logger = logging.getLogger(__name__)

# Rules and config values are written by people, through a canvas: nothing legitimate comes close to this,
# and the bound keeps Python's own recursion limit out of reach.
MAX_DEPTH: Final = 100

# JSON readers only agree on integers up to 2**53; beyond it numbers become floats, as they would in
# JavaScript, which also keeps repeated multiplication from growing an integer without bound.
_MAX_EXACT: Final = 2**53

_INTEGER: Final = re.compile(r"[+-]?[0-9]+")
_DECIMAL: Final = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# No list is a billion items long; the bound keeps int() cheap on hostile input.
_INDEX: Final = re.compile(r"[0-9]{1,9}")
_TEMPLATE: Final = re.compile(r"\{\{([^{}]*)\}\}")
_PATH: Final = re.compile(r"[\w-]+(?:\.[\w-]+)*")

_P = ParamSpec("_P")
_R = TypeVar("_R")


class ExpressionError(Exception):
    """A rule or template that cannot be evaluated; the message is for the person who wrote it.

    `error` is the JsonLogic error object (`{"type": ...}`) when the failure is one a `try` may catch:
    NaN, invalid arguments, or a `throw`. It is None for mistakes in the rule itself (an unknown
    operator, nesting too deep), which a `try` must not hide.
    """

    def __init__(self, message: str, error: Any = None) -> None:
        super().__init__(message)
        self.error = error


def _nan(message: str) -> ExpressionError:
    return ExpressionError(message, {"type": "NaN"})


def _invalid(message: str) -> ExpressionError:
    return ExpressionError(message, {"type": "Invalid Arguments"})


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:79] + "…"


def _bounded(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Deeply nested data (not only rules) can still exhaust the stack; report it like any bad input."""

    @functools.wraps(function)
    def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except RecursionError:
            raise ExpressionError("The expression or the data it reads is nested too deeply") from None

    return guarded


_Handler = Callable[["_Evaluator", str, Any], Any]
_OPERATORS: dict[str, _Handler] = {}


def _operator(*names: str) -> Callable[[_Handler], _Handler]:
    def register(handler: _Handler) -> _Handler:
        for name in names:
            _OPERATORS[name] = handler
        return handler

    return register


class _Evaluator:
    """One evaluation of one rule: the scopes iterators push, and how deeply the rule has nested."""

    def __init__(self, data: Any) -> None:
        # The last scope is the data `var` and `val` read. Iterators (and `try` fallbacks) push two:
        # a frame about the iteration ({"index": i}) and then the item, so `{"val": [[n], ...]}` climbs
        # n frames: 1 reaches the index, 2 the data around the iterator.
        self.scopes: list[Any] = [data]
        self.depth = 0

    @property
    def data(self) -> Any:
        return self.scopes[-1]

    def run(self, rule: Any) -> Any:
        if not isinstance(rule, (dict, list)) or (isinstance(rule, dict) and len(rule) != 1):
            return rule  # objects with no or several keys are data, not rules
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise ExpressionError(f"The rule is nested more than {MAX_DEPTH} levels deep")
            if isinstance(rule, list):
                return [self.run(item) for item in rule]
            ((name, args),) = rule.items()
            handler = _OPERATORS.get(name)
            if handler is None:
                raise ExpressionError(
                    f"Unknown operator {_show(name)}; to use an object with one key as a value, "
                    'wrap it: {"literal": {...}}'
                )
            return handler(self, name, args)
        finally:
            self.depth -= 1

    def run_in_scope(self, rule: Any, frame: Any, data: Any) -> Any:
        self.scopes += (frame, data)
        try:
            return self.run(rule)
        finally:
            del self.scopes[-2:]

    def values(self, args: Any) -> list[Any]:
        """The evaluated arguments; one argument that is not a list is shorthand for a list of one."""
        if isinstance(args, list):
            return [self.run(arg) for arg in args]
        return [self.run(args)]

    def spread(self, args: Any) -> list[Any]:
        """Like `values`, but one argument that evaluates to a list is the whole argument list:
        `{"+": {"var": "prices"}}` sums the prices (the JSON Logic `*.extra` suites require this)."""
        if isinstance(args, list):
            return [self.run(arg) for arg in args]
        value = self.run(args)
        return value if isinstance(value, list) else [value]


def _first(values: list[Any]) -> Any:
    return values[0] if values else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- numbers ---------------------------------------------------------------------------------------


def _finite(op: str, value: int | float) -> int | float:
    """A result fit for JSON: integral values as ints while exact, and never NaN or infinity."""
    if isinstance(value, int):
        if -_MAX_EXACT <= value <= _MAX_EXACT:
            return value
        try:
            value = float(value)
        except OverflowError:
            raise _nan(f'"{op}" gave a number too large for JSON') from None
    if not math.isfinite(value):
        raise _nan(f'"{op}" gave a result that is not a finite number')
    if value.is_integer() and -_MAX_EXACT <= value <= _MAX_EXACT:
        return int(value)
    return value


def _number(op: str, value: Any) -> int | float:
    """`value` as JsonLogic turns it into a number; where JavaScript would say NaN, this is an error."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return _finite(op, value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0
        # Longer digit strings are past _MAX_EXACT anyway, and int() on thousands of digits is slow.
        if _INTEGER.fullmatch(text) and len(text) < 20:
            return _finite(op, int(text))
        if _DECIMAL.fullmatch(text):
            return _finite(op, float(text))
    raise _nan(f'"{op}" cannot use {_show(value)} as a number')


def _number_text(value: int | float) -> str:
    """A number as JavaScript prints it, which JsonLogic's string operators assume: 1.0 is "1"."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)  # the shortest digits that round-trip, as JavaScript chooses them
    if "e" not in text:
        return text
    if 1e-6 <= abs(value) < 1e21:  # JavaScript keeps plain notation in this range; Python does not
        return format(Decimal(text), "f")
    mantissa, _, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent):+d}"


@_operator("+")
def _add(ev: _Evaluator, op: str, args: Any) -> int | float:
    total: int | float = 0
    for value in ev.spread(args):
        total = _finite(op, total + _number(op, value))
    return total


@_operator("*")
def _multiply(ev: _Evaluator, op: str, args: Any) -> int | float:
    product: int | float = 1
    for value in ev.spread(args):
        product = _finite(op, product * _number(op, value))
    return product


@_operator("-")
def _subtract(ev: _Evaluator, op: str, args: Any) -> int | float:
    numbers = [_number(op, value) for value in ev.spread(args)]
    if not numbers:
        raise _invalid('"-" needs at least one number')
    if len(numbers) == 1:
        return _finite(op, -numbers[0])
    result = numbers[0]
    for number in numbers[1:]:
        result = _finite(op, result - number)
    return result


@_operator("/")
def _divide(ev: _Evaluator, op: str, args: Any) -> int | float:
    numbers = [_number(op, value) for value in ev.spread(args)]
    if not numbers:
        raise _invalid('"/" needs at least one number')
    if len(numbers) == 1:
        numbers.insert(0, 1)  # one operand is its reciprocal
    result = numbers[0]
    for divisor in numbers[1:]:
        if divisor == 0:
            raise _nan('"/" cannot divide by zero')
        result = _finite(op, result / divisor)
    return result


@_operator("%")
def _remainder(ev: _Evaluator, op: str, args: Any) -> int | float:
    numbers = [_number(op, value) for value in ev.spread(args)]
    if len(numbers) < 2:
        raise _invalid('"%" needs at least two numbers')
    result = numbers[0]
    for divisor in numbers[1:]:
        if divisor == 0:
            raise _nan('"%" cannot divide by zero')
        # fmod keeps the sign of the dividend, as JavaScript's % does (Python's % follows the divisor).
        result = _finite(op, math.fmod(result, divisor))
    return result


def _extreme(pick: Callable[[list[Any]], Any]) -> _Handler:
    def handler(ev: _Evaluator, op: str, args: Any) -> int | float:
        numbers = ev.spread(args)
        if not numbers:
            raise _invalid(f'"{op}" needs at least one number')
        for value in numbers:
            if not _is_number(value):
                raise _invalid(f'"{op}" takes numbers only, not {_show(value)}')
        return _finite(op, pick(numbers))

    return handler


_OPERATORS["min"] = _extreme(min)
_OPERATORS["max"] = _extreme(max)


# --- comparison ------------------------------------------------------------------------------------


def _operands(op: str, left: Any, right: Any) -> tuple[int | float, int | float]:
    """Both sides as numbers, the way JavaScript compares mixed types; lists, objects and text that
    is no number cannot be compared that way (JavaScript would compare NaN and answer false)."""
    if not isinstance(left, (list, dict)) and not isinstance(right, (list, dict)):
        try:
            return _number(op, left), _number(op, right)
        except ExpressionError:
            pass
    raise _nan(f'"{op}" cannot compare {_show(left)} with {_show(right)}')


def _loose_equal(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if (left is None and isinstance(right, str)) or (right is None and isinstance(left, str)):
        # A missing value compared with a word is simply unequal: `{"==": [{"var": "tier"}, "gold"]}`
        # on data without a tier must be false, not an error.
        text = right if left is None else left
        try:
            return _number(op, text) == 0
        except ExpressionError:
            return False
    first, second = _operands(op, left, right)
    return first == second


def _strict_equal(left: Any, right: Any) -> bool:
    """Same JSON type and value. Lists and objects compare by content: JavaScript compares their
    identity, which means nothing for JSON data."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right  # true is not 1
    if _is_number(left) and _is_number(right):
        return bool(left == right)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_strict_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_strict_equal(left[key], right[key]) for key in left)
    return type(left) is type(right) and bool(left == right)


_ORDER: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _ordered(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return _ORDER[op](left, right)
    return _ORDER[op](*_operands(op, left, right))


def _chain(test: Callable[[str, Any, Any], bool]) -> _Handler:
    """Comparisons hold pairwise along their arguments (`{"<": [1, x, 10]}`), evaluated only as far as
    needed, as the suites require."""

    def handler(ev: _Evaluator, op: str, args: Any) -> bool:
        if not isinstance(args, list) or len(args) < 2:
            raise _invalid(f'"{op}" needs at least two values to compare')
        left = ev.run(args[0])
        for arg in args[1:]:
            right = ev.run(arg)
            if not test(op, left, right):
                return False
            left = right
        return True

    return handler


_OPERATORS.update(
    {
        "==": _chain(_loose_equal),
        "!=": _chain(lambda op, left, right: not _loose_equal(op, left, right)),
        "===": _chain(lambda op, left, right: _strict_equal(left, right)),
        "!==": _chain(lambda op, left, right: not _strict_equal(left, right)),
        **{name: _chain(_ordered) for name in _ORDER},
    }
)


# --- logic -----------------------------------------------------------------------------------------


def truthy(value: Any) -> bool:
    """JsonLogic truthiness: null, false, 0, "" and [] are false; "0", {} and everything else true."""
    return bool(to_bool(value))


def _rules(op: str, args: Any) -> list[Any]:
    if not isinstance(args, list):
        raise _invalid(f'"{op}" takes a list of rules, not {_show(args)}')
    return args


@_operator("if", "?:")
def _if(ev: _Evaluator, op: str, args: Any) -> Any:
    branches = _rules(op, args)
    for index in range(0, len(branches) - 1, 2):
        if truthy(ev.run(branches[index])):
            return ev.run(branches[index + 1])
    return ev.run(branches[-1]) if len(branches) % 2 else None


@_operator("and")
def _and(ev: _Evaluator, op: str, args: Any) -> Any:
    value: Any = False
    for rule in _rules(op, args):
        value = ev.run(rule)
        if not truthy(value):
            return value
    return value


@_operator("or")
def _or(ev: _Evaluator, op: str, args: Any) -> Any:
    value: Any = False
    for rule in _rules(op, args):
        value = ev.run(rule)
        if truthy(value):
            return value
    return value


@_operator("??")
def _coalesce(ev: _Evaluator, op: str, args: Any) -> Any:
    for rule in args if isinstance(args, list) else [args]:
        value = ev.run(rule)
        if value is not None:
            return value
    return None


@_operator("!")
def _not(ev: _Evaluator, op: str, args: Any) -> bool:
    return not truthy(_first(ev.values(args)))


@_operator("!!")
def _double_not(ev: _Evaluator, op: str, args: Any) -> bool:
    return truthy(_first(ev.values(args)))


@_operator("preserve", "literal")
def _preserve(ev: _Evaluator, op: str, args: Any) -> Any:
    return args


@_operator("throw")
def _throw(ev: _Evaluator, op: str, args: Any) -> Any:
    value = _first(ev.values(args))
    error = value if isinstance(value, dict) else {"type": value}
    raise ExpressionError(f"The rule threw {_show(error.get('type', error))}", error)


@_operator("try")
def _try(ev: _Evaluator, op: str, args: Any) -> Any:
    """The first rule that does not fail; each fallback reads the previous error object as its data."""
    rules = args if isinstance(args, list) else [args]
    if not rules:
        raise _invalid('"try" needs at least one rule')
    first, *fallbacks = rules
    try:
        return ev.run(first)
    except ExpressionError as error:
        if error.error is None:
            raise
        caught = error
    for rule in fallbacks:
        try:
            return ev.run_in_scope(rule, None, caught.error)
        except ExpressionError as error:
            if error.error is None:
                raise
            caught = error
    raise caught


@_operator("log")
def _log(ev: _Evaluator, op: str, args: Any) -> Any:
    value = _first(ev.values(args))
    logger.debug("JsonLogic log: %s", _show(value))
    return value


# --- data ------------------------------------------------------------------------------------------


@_operator("var")
def _var(ev: _Evaluator, op: str, args: Any) -> Any:
    return op_var(ev.data, *ev.values(args)[:2])


@_operator("missing")
def _missing(ev: _Evaluator, op: str, args: Any) -> Any:
    return op_missing(ev.data, *ev.values(args))


@_operator("missing_some")
def _missing_some(ev: _Evaluator, op: str, args: Any) -> Any:
    return op_missing_some(ev.data, *ev.values(args)[:2])


_ABSENT: Final = object()


def _lookup(ev: _Evaluator, op: str, path: list[Any]) -> Any:
    """What `val` reads: keys and list indexes taken literally (no dots), after an optional `[n]` that
    climbs n scopes; `_ABSENT` when something along the way is not there."""
    current = ev.data
    if path and isinstance(path[0], list):
        climb, *path = path
        if len(climb) != 1 or not isinstance(climb[0], int) or isinstance(climb[0], bool):
            raise _invalid(f'"{op}" climbs scopes with a list of one integer, not {_show(climb)}')
        levels = abs(climb[0])
        if levels >= len(ev.scopes):
            return _ABSENT
        current = ev.scopes[-1 - levels]
    for segment in path:
        if not isinstance(segment, (str, int)) or isinstance(segment, bool):
            raise _invalid(f'"{op}" paths are keys and list indexes, not {_show(segment)}')
        if isinstance(current, dict):
            key = str(segment)  # object keys are text, as in JavaScript
            if key not in current:
                return _ABSENT
            current = current[key]
        elif isinstance(current, list):
            if isinstance(segment, str):
                if not _INDEX.fullmatch(segment):
                    return _ABSENT
                segment = int(segment)
            if not 0 <= segment < len(current):
                return _ABSENT
            current = current[segment]
        else:
            return _ABSENT
    return current


@_operator("val")
def _val(ev: _Evaluator, op: str, args: Any) -> Any:
    found = _lookup(ev, op, ev.spread(args))
    return None if found is _ABSENT else found


@_operator("exists")
def _exists(ev: _Evaluator, op: str, args: Any) -> bool:
    return _lookup(ev, op, ev.spread(args)) is not _ABSENT


# --- strings ---------------------------------------------------------------------------------------


def _js_string(value: Any) -> str:
    """Text as JavaScript's String() gives it, which JsonLogic's string operators assume; objects
    become JSON text, since "[object Object]" tells nobody anything."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, list):
        return ",".join("" if item is None else _js_string(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


@_operator("cat")
def _cat(ev: _Evaluator, op: str, args: Any) -> str:
    return "".join(_js_string(value) for value in ev.values(args) if value is not None)


@_operator("substr")
def _substr(ev: _Evaluator, op: str, args: Any) -> str:
    source, start, length = [*ev.values(args), None, None, None][:3]
    # The package's substr is right once it is given text; its own text conversion prints True as "True".
    return op_substr(None, _js_string(source), start, length)


@_operator("in")
def _in(ev: _Evaluator, op: str, args: Any) -> bool:
    needle, haystack = [*ev.values(args), None, None][:2]
    if isinstance(haystack, list):
        # Strict, as JavaScript's includes() is: Python's `in` would find 1 in [true].
        return any(_strict_equal(needle, item) for item in haystack)
    if isinstance(haystack, str):
        return _js_string(needle) in haystack
    return False


# --- arrays ----------------------------------------------------------------------------------------


@_operator("merge")
def _merge(ev: _Evaluator, op: str, args: Any) -> list[Any]:
    return op_merge(None, *ev.values(args))


def _source_and_rule(op: str, args: Any, *, rule_required: bool) -> tuple[Any, Any]:
    if not isinstance(args, list) or len(args) < 2:
        raise _invalid(f'"{op}" takes [items, rule]')
    if args[0] is None:
        raise _invalid(f'"{op}" needs a list of items, not null')
    if rule_required and args[1] is None:
        raise _invalid(f'"{op}" needs a rule to apply to each item, not null')
    return args[0], args[1]


def _items(ev: _Evaluator, op: str, source: Any, *, missing_is_empty: bool) -> list[Any]:
    items = ev.run(source)
    if isinstance(items, list):
        return items
    if items is None and missing_is_empty:
        return []
    raise _invalid(f'"{op}" needs a list of items, got {_show(items)}')


@_operator("map")
def _map(ev: _Evaluator, op: str, args: Any) -> list[Any]:
    source, rule = _source_and_rule(op, args, rule_required=True)
    items = _items(ev, op, source, missing_is_empty=True)
    return [ev.run_in_scope(rule, {"index": index}, item) for index, item in enumerate(items)]


@_operator("filter")
def _filter(ev: _Evaluator, op: str, args: Any) -> list[Any]:
    source, rule = _source_and_rule(op, args, rule_required=True)
    items = _items(ev, op, source, missing_is_empty=True)
    return [item for index, item in enumerate(items) if truthy(ev.run_in_scope(rule, {"index": index}, item))]


@_operator("reduce")
def _reduce(ev: _Evaluator, op: str, args: Any) -> Any:
    source, rule = _source_and_rule(op, args, rule_required=True)
    items = _items(ev, op, source, missing_is_empty=True)
    start = 0
    if len(args) > 2:
        accumulator = ev.run(args[2])
    elif items:
        accumulator, start = items[0], 1  # as JavaScript's reduce() does without an initial value
    else:
        return None
    for index in range(start, len(items)):
        scope = {"current": items[index], "accumulator": accumulator}
        accumulator = ev.run_in_scope(rule, {"index": index}, scope)
    return accumulator


def _verdicts(ev: _Evaluator, op: str, args: Any) -> tuple[list[Any], Iterator[bool]]:
    """The items for all/some/none, and the rule's verdict on each, computed only as far as it is read.
    Unlike map, a missing list is an error here: "none of the items are bad" is no answer to give
    about items that are not there (the suites agree)."""
    source, rule = _source_and_rule(op, args, rule_required=False)
    items = _items(ev, op, source, missing_is_empty=False)
    return items, (truthy(ev.run_in_scope(rule, {"index": index}, item)) for index, item in enumerate(items))


@_operator("all")
def _all(ev: _Evaluator, op: str, args: Any) -> bool:
    items, verdicts = _verdicts(ev, op, args)
    return bool(items) and all(verdicts)  # JsonLogic defines `all` of an empty list as false


@_operator("some")
def _some(ev: _Evaluator, op: str, args: Any) -> bool:
    return any(_verdicts(ev, op, args)[1])


@_operator("none")
def _none(ev: _Evaluator, op: str, args: Any) -> bool:
    return not any(_verdicts(ev, op, args)[1])


# --- public interface ------------------------------------------------------------------------------


@_bounded
def apply(rule: Any, data: Any = None) -> Any:
    """Evaluate a JsonLogic rule against `data`; anything that is not a rule is returned as it is."""
    return _Evaluator(data).run(rule)


def is_rule(value: Any) -> bool:
    """A dict with exactly one key that names a known operator."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _OPERATORS


def operators() -> list[str]:
    """The names of the supported operators, for the UI."""
    return sorted(_OPERATORS)


@_bounded
def evaluate(value: Any, context: dict[str, Any]) -> Any:
    """A config value, evaluated against the run context as CONTRACT §2 says: strings are templates,
    rules are evaluated, other objects and lists are walked, everything else is literal."""
    return _evaluate(value, context, 0)


def _evaluate(value: Any, context: dict[str, Any], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ExpressionError(f"The value is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, str):
        return render_template(value, context)
    if isinstance(value, dict):
        if is_rule(value):
            return apply(value, context)
        return {key: _evaluate(member, context, depth + 1) for key, member in value.items()}
    if isinstance(value, list):
        return [_evaluate(member, context, depth + 1) for member in value]
    return value


@_bounded
def render_template(text: str, context: dict[str, Any]) -> Any:
    """Replace each `{{ dotted.path }}` by the value it reads, as text; a string that is one template and
    nothing else yields the value itself, of any JSON type (None when the path leads nowhere)."""
    whole = _TEMPLATE.fullmatch(text)
    if whole:
        return _read_path(whole.group(1), context)
    return _TEMPLATE.sub(lambda match: _template_text(_read_path(match.group(1), context)), text)


def _read_path(expression: str, context: dict[str, Any]) -> Any:
    path = expression.strip()
    if not _PATH.fullmatch(path):
        raise ExpressionError(
            f"The template {{{{{expression}}}}} is not a plain dotted path such as "
            "{{ trigger.body.items.0.id }}: templates have no filters, code or attribute access"
        )
    current: Any = context
    for segment in path.split("."):
        if isinstance(current, dict):
            current = current.get(segment)
        elif isinstance(current, list) and _INDEX.fullmatch(segment) and int(segment) < len(current):
            current = current[int(segment)]
        else:
            return None
    return current


def _template_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return _js_string(value)
