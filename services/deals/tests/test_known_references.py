"""A user or a campaign a deal names, once found in the caller's workspace, is not asked again by this
deals process (the directory neither deletes nor moves them); an account is asked on every write (it
can be deleted), and a reference not found is asked again. Seen with the directory stopped: a known
campaign still checks, a new one is a 504 naming it."""
from services.deals.tests.test_references import create, new_account, new_campaign


def test_a_campaign_found_once_is_not_asked_again_but_a_new_one_and_an_account_are(api, ws, system):
    known, account = new_campaign(api, ws), new_account(api, ws)
    assert create(api, ws, campaign_uuid=known).status_code == 201  # found: remembered
    unknown = new_campaign(api, ws)
    assert create(api, ws, campaign_uuid=known, account_uuid="no-such-account").status_code == 422
    system.stop_component("directory")
    try:
        created = create(api, ws, campaign_uuid=known, account_uuid=account)  # the account is still asked
        assert created.status_code == 201, created.text
        refused = create(api, ws, campaign_uuid=unknown)
        assert refused.status_code in (503, 504), refused.text  # its queue waits for the directory: 504
        assert list(refused.json()["errors"]) == ["campaign_uuid"]
    finally:
        system.start_component("directory")
        system.wait_healthy()
