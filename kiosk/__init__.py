"""kiosk"""
