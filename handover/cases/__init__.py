"""Owner cases: repair requests (报修), complaints (投诉) and inquiries (咨询) with committed times."""
