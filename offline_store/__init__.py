"""offline_store"""
