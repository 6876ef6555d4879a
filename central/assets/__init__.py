"""Members' productive assets (seed 000's member development): a warung, livestock, land, a vehicle, with
photos from a phone and the history of their estimated value (docs/development.md).

``rules`` holds the pure part (kinds, checks, who may see and who may enter); ``store`` the side tables
beside the ledger (``member_assets``, ``asset_values``, ``asset_photos``). Nothing here touches the journal:
an asset a member owns at home is not the cooperative's money.
"""
