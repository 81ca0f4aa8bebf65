"""contracts.fast_events.load_opportunity_changed against the contract's schema: on generated events,
valid and mutated (a field replaced by any JSON value, removed, or an unknown one added), whenever it
answers, it answers exactly what OPPORTUNITY_CHANGED_SCHEMA.load answers (and the schema accepts the
payload); on the events the deals service writes, it always answers."""
import copy
import uuid

from hypothesis import given, settings, strategies as st
from marshmallow import ValidationError

from contracts.events import OPPORTUNITY_CHANGED_SCHEMA, OPPORTUNITY_STATES, OPPORTUNITY_TYPES, VALUE_TYPES
from contracts.fast_events import load_opportunity_changed
from tests.support.events import opportunity_event

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2 ** 70, max_value=2 ** 70) | st.floats(allow_nan=True)
    | st.text(max_size=12) | st.sampled_from(["NaN", "Infinity", "1e400", " 12 ", "1.50", "-0", "0x10", "٣",
                                              "open_0", "won", "sale", "Total", str(uuid.uuid4()),
                                              str(uuid.uuid4()).upper(), uuid.uuid4().hex]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=5)
decimals = st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10 ** 9, max_value=10 ** 9)
optional_ints = st.none() | st.integers(min_value=-2 ** 40, max_value=2 ** 40)


@st.composite
def valid_events(draw):
    deleted = draw(st.booleans()) and draw(st.booleans())
    fields = {} if deleted else {
        "user_id": draw(optional_ints), "company_id": draw(optional_ints), "value": str(draw(decimals)),
        "value_count": str(draw(decimals)), "value_type": draw(st.sampled_from(VALUE_TYPES)),
        "current_state": draw(st.sampled_from(OPPORTUNITY_STATES)), "type": draw(st.sampled_from(OPPORTUNITY_TYPES)),
        "quantity": draw(st.none() | decimals.map(str)), "unit_id": draw(optional_ints),
        "crop_id": draw(optional_ints), "variety_id": draw(optional_ints), "description": draw(st.none() | st.text()),
        "account_uuid": draw(st.none() | st.just(str(uuid.uuid4()))), "name": draw(st.text(max_size=20))}
    event = opportunity_event(draw(st.integers(min_value=1, max_value=2 ** 40)),
                              draw(st.integers(min_value=1, max_value=2 ** 40)), str(uuid.uuid4()),
                              "deleted" if deleted else None, **fields)
    # the correlation ids (infra.correlation): text, null, or absent in events older than them
    for name in ("request_id", "causation_id"):
        choice = draw(st.sampled_from(["text", "null", "absent"]))
        if choice == "absent":
            event.pop(name, None)
        else:
            event[name] = draw(st.text(max_size=36)) if choice == "text" else None
    return event


def schema_load(payload):
    try:
        return OPPORTUNITY_CHANGED_SCHEMA.load(payload)
    except ValidationError:
        return "invalid"


@settings(max_examples=300, deadline=None)
@given(valid_events())
def test_a_valid_event_loads_as_the_schema_loads_it(event):
    fast = load_opportunity_changed(copy.deepcopy(event))
    assert fast is not None
    assert fast == schema_load(event)


@settings(max_examples=1500, deadline=None)
@given(valid_events(), st.data())
def test_a_mutated_event_is_answered_as_the_schema_answers_it_or_left_to_the_schema(event, data):
    payload = copy.deepcopy(event)
    target = payload
    if payload["snapshot"] is not None and data.draw(st.booleans()):
        target = payload["snapshot"]
    key = data.draw(st.sampled_from(sorted(target) + ["unknown"]))
    action = data.draw(st.sampled_from(["replace", "remove", "add"]))
    if action == "remove":
        target.pop(key, None)
    else:
        target[key if action == "replace" else "extra_" + key] = data.draw(json_values)
    fast = load_opportunity_changed(copy.deepcopy(payload))
    if fast is not None:
        assert fast == schema_load(payload), (key, action)
