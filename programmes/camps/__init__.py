"""Camps (品牌塑造营, 项目全能营, 公益创业训练营, 陪伴式赋能): sessions, materials, registration and wait list."""
