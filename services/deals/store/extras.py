"""What a page of deals shows beyond its columns: the includes and methods of the index."""
from sqlalchemy import select

from services.deals.models import CustomFieldType, DealCustomField, DealPerson, DealTag, Tag


def extras(session, deals, query, natural_names):
    """includes (tags, people, company, custom_fields) and methods for a page, in a few queries."""
    ids = [deal.id for deal in deals]
    result = {deal.id: {} for deal in deals}
    if not ids:
        return result
    if "tags" in query.includes:
        rows = session.execute(select(DealTag.deal_id, Tag.id, Tag.name).join(Tag, Tag.id == DealTag.tag_id)
                               .where(DealTag.deal_id.in_(ids)).order_by(Tag.name)).all()
        for deal_id in ids:
            result[deal_id]["tags"] = []
        for deal_id, tag_id, name in rows:
            result[deal_id]["tags"].append({"id": tag_id, "name": name})
    if "people" in query.includes:
        for deal_id in ids:
            result[deal_id]["people"] = []
        for deal_id, person_id in session.execute(select(DealPerson.deal_id, DealPerson.person_id)
                                                  .where(DealPerson.deal_id.in_(ids))
                                                  .order_by(DealPerson.person_id)).all():
            result[deal_id]["people"].append({"id": person_id})
    if "company" in query.includes:
        for deal in deals:
            result[deal.id]["company"] = {"id": deal.company_id} if deal.company_id is not None else None
    if "custom_fields" in query.includes:
        for deal_id in ids:
            result[deal_id]["custom_fields"] = []
        rows = session.execute(select(DealCustomField.deal_id, CustomFieldType.id, CustomFieldType.name,
                                      DealCustomField.value)
                               .join(CustomFieldType, CustomFieldType.id == DealCustomField.custom_field_type_id)
                               .where(DealCustomField.deal_id.in_(ids)).order_by(CustomFieldType.id)).all()
        for deal_id, type_id, type_name, value in rows:
            result[deal_id]["custom_fields"].append({"custom_fields_type_id": type_id,
                                                     "custom_fields_type_name": type_name, "value": value})
    if "responsible_user_natural_name" in query.methods:
        for deal in deals:
            result[deal.id]["responsible_user_natural_name"] = natural_names.get(deal.user_id)
    return result
