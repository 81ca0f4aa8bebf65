from services.directory import domain


def test_api_keys_are_random_prefixed_and_hashed():
    key, prefix, key_hash = domain.new_api_key()
    other_key, _, other_hash = domain.new_api_key()
    assert key.startswith("crm_{}_".format(prefix)) and key != other_key
    assert key_hash == domain.hash_api_key(key) != other_hash and key not in key_hash


def test_passwords_are_salted_hashes_that_verify():
    first, second = domain.hash_password("s3cret-password"), domain.hash_password("s3cret-password")
    assert first != second and "s3cret" not in first
    assert domain.password_matches(first, "s3cret-password")
    assert not domain.password_matches(first, "wrong-password")


def test_emails_are_compared_case_insensitively():
    assert domain.normalize_email("  Ada@Example.TEST ") == "ada@example.test"


def test_the_owner_holds_every_permission_and_others_what_they_were_granted():
    assert domain.effective_permissions(True, []) == ("319", "crm-menu", "crm-partners", "all-prospects")
    assert domain.effective_permissions(False, None) == ()
    assert domain.effective_permissions(False, ["all-prospects", "319", "319"]) == ("319", "all-prospects")
